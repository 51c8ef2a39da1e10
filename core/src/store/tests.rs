use super::*;
use crate::events::{fixtures, CodecError};
use rusqlite::params;

fn quotes(n: usize) -> Vec<Event> {
    let quote = fixtures::all().into_iter().find(|e| e.kind() == "QuoteTick").unwrap();
    (0..n)
        .map(|i| {
            let mut e = quote.clone();
            if let Event::QuoteTick(q) = &mut e {
                q.ts_event.0 += i as u64;
                q.ts_init.0 += i as u64;
            }
            e
        })
        .collect()
}

fn command() -> Event {
    fixtures::all().into_iter().find(|e| e.kind() == "SubmitOrder").unwrap()
}

fn meta() -> LogMeta {
    LogMeta { run_id: "run-1".into(), config: "{}".into() }
}

/// A log holding every fixture then 20 quotes (seq 1..=54), closed.
fn sample(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("run.db");
    let log = EventLog::create(&path, &meta()).unwrap();
    log.append(&fixtures::all()).unwrap();
    log.append(&quotes(20)).unwrap();
    log.close().unwrap();
    path
}

fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

fn first_bad(path: &Path) -> (Option<u64>, String) {
    let report = EventLog::open_readonly(path).unwrap().verify().unwrap();
    (report.first_bad, report.summary(path))
}

#[test]
fn appends_read_back_in_order_with_gap_free_seqs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = EventLog::create(&path, &meta()).unwrap();
    let all = fixtures::all();
    let r = log.append(&all).unwrap();
    assert_eq!((r.first_seq, r.last_seq), (1, all.len() as u64));
    let r = log.append_durable(&quotes(3)).unwrap();
    assert_eq!(r.first_seq, all.len() as u64 + 1);
    log.flush().unwrap();
    let read: Vec<(u64, Event)> = log.read_from(1).unwrap().map(Result::unwrap).collect();
    assert_eq!(read.len(), all.len() + 3);
    assert!(read.iter().enumerate().all(|(i, (seq, _))| *seq == i as u64 + 1));
    assert_eq!(read[..all.len()].iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(), all);
    let middle: Vec<u64> = log.read_range(5, 7).unwrap().map(|r| r.unwrap().0).collect();
    assert_eq!(middle, vec![5, 6, 7]);
    let head = log.head().unwrap();
    assert_eq!(head.0, all.len() as u64 + 3);
    let anchor = Anchor::read(&path).unwrap();
    assert_eq!((anchor.seq, anchor.hash, anchor.durable), (head.0, head.1, head.0));
    log.close().unwrap();
    // Reopening continues the chain.
    let log = EventLog::open(&path).unwrap();
    assert!(log.torn_tail().is_none());
    assert_eq!(log.append(&quotes(1)).unwrap().first_seq, head.0 + 1);
    log.flush().unwrap();
    assert!(log.verify().unwrap().ok());
    let info = log.info().unwrap();
    assert_eq!((info.events, info.run_id.as_str(), info.schema_version), (head.0 + 1, "run-1", 2));
}

#[test]
fn create_refuses_an_existing_file_and_a_second_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    let err = EventLog::create(&path, &meta()).err().unwrap();
    assert!(matches!(err, StoreError::Exists { .. }), "{err}");
    let first = EventLog::open(&path).unwrap();
    let err = EventLog::open(&path).err().unwrap();
    assert!(err.to_string().contains("another process is writing"), "{err}");
    drop(first);
    assert!(EventLog::open(&path).is_ok());
}

#[test]
fn verify_names_the_first_bad_seq_for_each_tamper() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    assert_eq!(first_bad(&path).0, None);
    let original = std::fs::read(&path).unwrap();
    let reset = || std::fs::write(&path, &original).unwrap();

    raw(&path).execute("UPDATE events SET ts_event = ts_event + 1 WHERE seq = 10", []).unwrap();
    assert_eq!(first_bad(&path).0, Some(10), "edit");
    reset();
    raw(&path).execute("DELETE FROM events WHERE seq = 12", []).unwrap();
    let (bad, line) = first_bad(&path);
    assert_eq!(bad, Some(12), "delete: {line}");
    reset();
    let c = raw(&path);
    c.execute_batch(
        "UPDATE events SET seq = -1 WHERE seq = 40; UPDATE events SET seq = 40 WHERE seq = 41; \
         UPDATE events SET seq = 41 WHERE seq = -1;",
    )
    .unwrap();
    drop(c);
    assert_eq!(first_bad(&path).0, Some(40), "reorder");
    reset();
    let c = raw(&path);
    c.execute_batch(
        "UPDATE events SET seq = seq + 1000 WHERE seq >= 30; UPDATE events SET seq = seq - 999 \
         WHERE seq >= 1000; INSERT INTO events SELECT 30, ts_event, ts_init, kind, \
         instrument_id, strategy_id, client_order_id, payload, hash FROM events WHERE seq = 20;",
    )
    .unwrap();
    drop(c);
    assert_eq!(first_bad(&path).0, Some(30), "insert");
    reset();
    raw(&path).execute("DELETE FROM events WHERE seq > 50", []).unwrap();
    let (bad, line) = first_bad(&path);
    assert_eq!(bad, Some(51), "truncate: {line}");
    assert!(line.contains("anchor records seq 54, durable through seq 54"), "{line}");
    assert_eq!(EventLog::open(&path).err().unwrap().seq(), Some(51), "truncation is not torn");
    reset();
    assert_eq!(first_bad(&path).0, None);
}

#[test]
fn a_rewritten_log_is_caught_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    // Rewrite history from scratch: a different but self-consistent chain of the same length.
    let fake_dir = tempfile::tempdir().unwrap();
    let fake = fake_dir.path().join("fake.db");
    let log = EventLog::create(&fake, &meta()).unwrap();
    log.append(&quotes(54)).unwrap();
    log.close().unwrap();
    std::fs::copy(&fake, &path).unwrap();
    let (bad, line) = first_bad(&path);
    assert_eq!(bad, Some(54), "{line}");
    assert!(line.contains("anchor"), "{line}");
    let err = EventLog::open(&path).err().unwrap();
    assert_eq!(err.seq(), Some(54), "{err}");
}

#[test]
fn a_torn_tail_past_the_anchor_is_cut_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    raw(&path)
        .execute(
            "INSERT INTO events SELECT 55, ts_event, ts_init, kind, instrument_id, strategy_id, \
             client_order_id, x'c1c1', zeroblob(32) FROM events WHERE seq = 54",
            [],
        )
        .unwrap();
    let log = EventLog::open(&path).unwrap();
    let torn = log.torn_tail().unwrap().clone();
    assert_eq!((torn.from_seq, torn.removed), (55, 1));
    assert_eq!(log.head().unwrap().0, 54);
    assert_eq!(log.append(&quotes(1)).unwrap().first_seq, 55);
    log.close().unwrap();
    assert!(EventLog::open_readonly(&path).unwrap().verify().unwrap().ok());
}

#[test]
fn a_garbled_last_row_behind_a_lagging_anchor_is_cut() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    let c = raw(&path);
    let hash: Vec<u8> =
        c.query_row("SELECT hash FROM events WHERE seq = 53", [], |r| r.get(0)).unwrap();
    // The crash fell between the commit of seq 54 and the anchor write, and tore seq 54.
    Anchor { seq: 53, hash: hash.try_into().unwrap(), durable: 53 }.write(&path).unwrap();
    c.execute("UPDATE events SET payload = x'82a474797065' WHERE seq = 54", []).unwrap();
    drop(c);
    let log = EventLog::open(&path).unwrap();
    assert_eq!(log.torn_tail().map(|t| (t.from_seq, t.removed)), Some((54, 1)));
    assert_eq!(log.head().unwrap().0, 53);
}

#[test]
fn an_anchor_ahead_of_the_log_is_reported_and_moved_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    // Seqs 55..=60 were committed but never synced (durable only through 54): a lost tail.
    Anchor { seq: 60, hash: [9; 32], durable: 54 }.write(&path).unwrap();
    let log = EventLog::open(&path).unwrap();
    let torn = log.torn_tail().unwrap();
    assert_eq!((torn.from_seq, torn.removed), (55, 0));
    drop(log);
    assert_eq!(Anchor::read(&path).unwrap().seq, 54);
    // Durable through 57 but the log ends at 54: acknowledged events are gone.
    Anchor { seq: 60, hash: [9; 32], durable: 57 }.write(&path).unwrap();
    let err = EventLog::open(&path).err().unwrap();
    assert_eq!(err.seq(), Some(55), "{err}");
    assert!(err.to_string().contains("durable through seq 57"), "{err}");
}

#[test]
fn a_corrupt_row_under_the_anchor_is_an_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    raw(&path).execute("UPDATE events SET payload = x'00' WHERE seq = 7", []).unwrap();
    let before = (std::fs::read(&path).unwrap(), std::fs::read(anchor::path_for(&path)).unwrap());
    let err = EventLog::open(&path).err().unwrap();
    assert_eq!(err.seq(), Some(7));
    let line = err.to_string();
    assert!(line.contains("run.db") && line.contains("seq 7") && !line.contains('\n'), "{line}");
    let after = (std::fs::read(&path).unwrap(), std::fs::read(anchor::path_for(&path)).unwrap());
    assert!(before == after, "a log that did not verify was written");
}

#[test]
fn bad_inputs_are_one_line_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "hello, this is not a database at all").unwrap();
    for err in [EventLog::open(&text).err().unwrap(), EventLog::open_readonly(&text).err().unwrap()]
    {
        assert!(matches!(err, StoreError::NotALog { .. }), "{err}");
        assert!(err.to_string().contains("notes.db"));
    }
    let missing = dir.path().join("missing.db");
    assert!(matches!(EventLog::open(&missing).err().unwrap(), StoreError::NotFound { .. }));

    let path = sample(&dir);
    raw(&path).execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'", []).unwrap();
    let err = EventLog::open(&path).err().unwrap();
    assert!(err.to_string().contains("schema version 99 is newer"), "{err}");

    let other = tempfile::tempdir().unwrap();
    let path = sample(&other);
    std::fs::remove_file(anchor::path_for(&path)).unwrap();
    let err = EventLog::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::MissingAnchor { .. }), "{err}");
    assert!(err.to_string().contains("run.db.anchor"));
    let report = EventLog::open_readonly(&path).unwrap().verify().unwrap();
    assert!(!report.ok() && report.summary(&path).contains("anchor file is missing"));
}

#[test]
fn snapshots_are_bound_to_their_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    let log = EventLog::open(&path).unwrap();
    assert_eq!(log.latest_snapshot().unwrap(), None);
    log.save_snapshot(10, 100, b"state at 10").unwrap();
    log.save_snapshot(40, 400, b"state at 40").unwrap();
    let err = log.save_snapshot(99, 0, b"future").err().unwrap();
    assert_eq!(err.seq(), Some(99));
    // A refused snapshot does not stop the log.
    assert_eq!(log.append(&quotes(1)).unwrap().first_seq, 55);
    log.flush().unwrap();
    drop(log);
    let log = EventLog::open_readonly(&path).unwrap();
    assert_eq!(log.latest_snapshot().unwrap(), Some((40, b"state at 40".to_vec())));
    assert_eq!(log.snapshot_at_or_before(39).unwrap().map(|s| s.0), Some(10));
    assert_eq!(log.snapshot_at_or_before(9).unwrap(), None);
    raw(&path).execute("UPDATE snapshots SET payload = x'00' WHERE seq = 40", []).unwrap();
    assert_eq!(log.latest_snapshot().unwrap().map(|s| s.0), Some(10), "tampered one skipped");
    assert_eq!(log.verify().unwrap().bad_snapshots, vec![40]);
}

#[test]
fn commands_are_committed_before_append_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = EventLog::create(&path, &meta()).unwrap();
    let reader = raw(&path);
    let count =
        || reader.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0)).unwrap();
    log.append(&quotes(5)).unwrap();
    log.append(&[command()]).unwrap();
    assert_eq!(count(), 6, "the command and what came before it are committed");
    log.append(&quotes(5)).unwrap();
    std::thread::sleep(writer::MAX_BATCH_DELAY * 4);
    assert_eq!(count(), 11, "batched rows land within the batch delay");
    drop(log);

    let batched = dir.path().join("batched.db");
    let log = EventLog::create_with(&batched, &meta(), Durability::Batched).unwrap();
    let r = log.append(&[command()]).unwrap();
    assert_eq!(r.first_seq, 1);
    log.flush().unwrap();
    assert_eq!(
        raw(&batched).query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0)).unwrap(),
        1
    );
}

#[test]
fn concurrent_appenders_share_one_gap_free_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = EventLog::create(&path, &meta()).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..25 {
                    log.append_durable(&[command()]).unwrap();
                    log.append(&quotes(3)).unwrap();
                }
            });
        }
    });
    log.close().unwrap();
    let report = EventLog::open_readonly(&path).unwrap().verify().unwrap();
    assert!(report.ok(), "{}", report.summary(&path));
    assert_eq!((report.events, report.last_seq), (400, 400));
}

#[test]
fn large_logs_verify_in_parallel_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = EventLog::create_with(&path, &meta(), Durability::Batched).unwrap();
    for _ in 0..25 {
        log.append(&quotes(10_000)).unwrap();
    }
    log.close().unwrap();
    assert!(EventLog::open_readonly(&path).unwrap().verify().unwrap().ok());
    raw(&path).execute("UPDATE events SET ts_init = 1 WHERE seq = 190000", []).unwrap();
    raw(&path).execute("UPDATE events SET ts_init = 1 WHERE seq = 240000", []).unwrap();
    assert_eq!(first_bad(&path).0, Some(190_000));
}

#[test]
fn stored_rows_match_the_event_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    let log = EventLog::open_readonly(&path).unwrap();
    let rows = log.read_rows(1, 100).unwrap();
    assert_eq!(rows.len(), 54);
    let fill = rows.iter().find(|r| r.kind == "OrderFilled").unwrap();
    assert_eq!(fill.client_order_id.as_deref(), Some("O-ema_cross-001-1"));
    assert_eq!(fill.hash.len(), 32);
    let c = raw(&path);
    let n: i64 = c
        .query_row("SELECT count(*) FROM events WHERE kind = ?1", params!["QuoteTick"], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 21);
}

#[test]
fn deep_verify_decodes_payloads_against_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    let c = raw(&path);
    let prev: Vec<u8> =
        c.query_row("SELECT hash FROM events WHERE seq = 54", [], |r| r.get(0)).unwrap();
    // A row whose hash chains but whose payload is not the event its columns describe.
    let row = chain::RowFields {
        seq: 55,
        ts_event: 1,
        ts_init: 1,
        kind: "QuoteTick",
        instrument_id: None,
        strategy_id: None,
        client_order_id: None,
        payload: b"\x81\xa4type\xa5Bogus",
    };
    let hash = chain::row_hash(ChainHash::Sha256, &prev.try_into().unwrap(), &row);
    c.execute(
        "INSERT INTO events VALUES (55, 1, 1, 'QuoteTick', NULL, NULL, NULL, ?1, ?2)",
        params![row.payload, &hash[..]],
    )
    .unwrap();
    Anchor { seq: 55, hash, durable: 55 }.write(&path).unwrap();
    let log = EventLog::open_readonly(&path).unwrap();
    assert!(log.verify().unwrap().ok());
    let deep = log.verify_deep().unwrap();
    assert_eq!(deep.first_bad, Some(55));
    assert!(deep.summary(&path).contains("seq 55: payload"), "{}", deep.summary(&path));
}

mod recording {
    use super::super::*;
    use crate::replay::testkit::{config, inputs, instrument, live_engine};
    use crate::replay::{EventSource, Replay, ReplayOptions};
    use std::sync::Arc;

    fn without_timers(engine: &crate::engine::Engine) -> Vec<u8> {
        let mut copy =
            crate::engine::Engine::restore(engine.config().clone(), &engine.snapshot().unwrap())
                .unwrap();
        copy.clear_timers();
        copy.snapshot().unwrap()
    }

    #[test]
    fn a_recorded_run_recovers_from_its_snapshots_and_equals_a_refold() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.db");
        let log = Arc::new(EventLog::create(&path, &LogMeta::default()).unwrap());
        let mut engine = live_engine(4);
        let mut recorder = Recorder::new(Arc::clone(&log), &engine, 40).unwrap();
        let mut seen = Vec::new();
        recorder.record(&mut engine).unwrap();
        for event in inputs(4, 300) {
            engine.process(event).unwrap();
            recorder.record(&mut engine).unwrap();
            seen.extend(recorder.take_events());
        }
        let (head, _) = recorder.finish(&mut engine).unwrap();
        seen.extend(recorder.take_events());
        assert_eq!(head, seen.len() as u64);
        assert_eq!(recorder.durable_seq(), head);
        let logged: Vec<Event> = log.read_from(1).unwrap().map(|r| r.unwrap().1).collect();
        assert_eq!(logged, seen);
        let info = log.info().unwrap();
        assert!(info.snapshots >= head / 60, "{} snapshots for {head} events", info.snapshots);
        let snapshots = log.snapshots().unwrap();
        assert_eq!(snapshots.len() as u64, info.snapshots);
        assert!(snapshots.windows(2).all(|w| w[0].0 < w[1].0));
        let cfg = config(4, true);
        let recovered = recover_log(&log, &cfg, &[instrument()]).unwrap();
        let refold = refold_log(&log, &cfg, &[instrument()]).unwrap();
        assert_eq!(recovered.last_seq, head);
        let bytes = recovered.engine.snapshot().unwrap();
        assert_eq!(bytes, refold.engine.snapshot().unwrap());
        assert_eq!(bytes, without_timers(&engine));
        assert!(log.verify().unwrap().ok());
        // The log is a replay source too.
        assert_eq!(EventSource::last_seq(&*log), head);
        let mut replay =
            Replay::new(&*log, cfg, vec![instrument()], ReplayOptions::default()).unwrap();
        assert_eq!(replay.seek(head).unwrap().engine.snapshot().unwrap(), bytes);
    }

    #[test]
    fn snapshots_stay_small_however_many_orders_closed_and_recovery_equals_a_refold() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.db");
        let log = Arc::new(EventLog::create(&path, &LogMeta::default()).unwrap());
        let mut engine = live_engine(5);
        let mut recorder = Recorder::new(Arc::clone(&log), &engine, 300).unwrap();
        for event in inputs(5, 8_000) {
            engine.process(event).unwrap();
            recorder.record(&mut engine).unwrap();
        }
        recorder.finish(&mut engine).unwrap();
        let sizes: Vec<usize> = log.snapshots().unwrap().iter().map(|(_, b)| b.len()).collect();
        let (mid, last) = (sizes[sizes.len() / 2], sizes[sizes.len() - 1]);
        assert!(last < mid + mid / 5, "snapshots grew with history: {sizes:?}");
        let cfg = config(5, true);
        let refold = refold_log(&log, &cfg, &[instrument()]).unwrap().engine.snapshot().unwrap();
        let recovered = recover_log(&log, &cfg, &[instrument()]).unwrap();
        assert_eq!(recovered.engine.snapshot().unwrap(), refold);
        // A snapshot that does not verify is not used: recovery falls back to an earlier one.
        let (latest, _) = log.latest_snapshot().unwrap().unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE snapshots SET hash = zeroblob(32) WHERE seq = ?1", [latest as i64])
            .unwrap();
        assert_eq!(
            recover_log(&log, &cfg, &[instrument()]).unwrap().engine.snapshot().unwrap(),
            refold
        );
    }

    #[test]
    fn live_venue_commands_leave_only_once_durable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.db");
        let log = Arc::new(
            EventLog::create_with(&path, &LogMeta::default(), Durability::Batched).unwrap(),
        );
        let mut engine = crate::engine::Engine::new(config(2, false)).unwrap();
        engine.add_instrument(instrument()).unwrap();
        let mut recorder = Recorder::new(Arc::clone(&log), &engine, 0).unwrap();
        let mut released = 0;
        for event in inputs(2, 120) {
            let command = event.is_command();
            engine.process(event).unwrap();
            // Released without waiting only once durable; the rest after the wait.
            let ready = recorder.release_outbound(&mut engine).unwrap();
            let held = recorder.outbound_waiting();
            let rest = recorder.wait_outbound().unwrap();
            assert_eq!((rest.len(), recorder.outbound_waiting()), (held, 0));
            for outbound in [ready, rest] {
                if outbound.is_empty() {
                    continue;
                }
                released += outbound.len();
                // Every command sent is already committed: a reader sees it now.
                assert!(command);
                assert_eq!(recorder.durable_seq(), recorder.last_seq());
                let committed = EventLog::open_readonly(&path).unwrap().head().unwrap().0;
                assert_eq!(committed, recorder.last_seq());
            }
        }
        assert!(released > 0);
    }
}

#[test]
fn batches_go_in_through_every_statement_size_and_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = EventLog::create(&path, &meta()).unwrap();
    // Every statement size: one of 512 rows, two of 64, three of 8, five single rows; then a
    // lone row.
    let n = 512 + 2 * 64 + 3 * 8 + 5;
    let first = quotes(n);
    log.append(&first).unwrap();
    let mut batch = log.batch();
    batch.push(&command()).unwrap();
    assert!(batch.has_command());
    let r = log.append_batch_durable(batch).unwrap();
    assert_eq!((r.first_seq, r.last_seq), (n as u64 + 1, n as u64 + 1));
    let read: Vec<(u64, Event)> = log.read_from(1).unwrap().map(Result::unwrap).collect();
    assert!(read.iter().enumerate().all(|(i, (seq, _))| *seq == i as u64 + 1));
    let read: Vec<Event> = read.into_iter().map(|(_, e)| e).collect();
    assert_eq!(read[..n], first[..]);
    assert_eq!(read[n], command());
    assert!(log.verify().unwrap().ok());
}

#[test]
fn a_payload_that_is_not_an_event_is_refused_and_the_batch_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::create(&dir.path().join("run.db"), &meta()).unwrap();
    let mut batch = log.batch();
    batch.push_payload(&quotes(1)[0].to_msgpack().unwrap()).unwrap();
    assert!(matches!(batch.push_payload(b"\x81\xa4type\xa4Nope"), Err(CodecError::Decode(_))));
    assert_eq!(batch.len(), 1);
    assert_eq!(log.append_batch(batch).unwrap().last_seq, 1);
}

#[test]
fn the_writer_hands_batches_back_to_be_filled_again() {
    let dir = tempfile::tempdir().unwrap();
    let log = EventLog::create(&dir.path().join("run.db"), &meta()).unwrap();
    let mut batch = log.batch();
    for quote in quotes(1000) {
        batch.push(&quote).unwrap();
    }
    log.append_batch(batch).unwrap();
    log.flush().unwrap();
    let again = log.batch();
    assert!(again.is_empty());
    assert!(again.payload_capacity() >= 1000 * 100, "a spare, emptied");
}

#[test]
fn a_long_append_keeps_the_wal_short_while_checkpoints_run_beside_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = EventLog::create_with(&path, &meta(), Durability::Batched).unwrap();
    let batch_of = quotes(10_000);
    let mut wal_peak = 0;
    // About 180 MiB of rows, below the writer's own 256 MiB backstop: the WAL stays far
    // shorter only because it starts over each time the checkpoints have caught up.
    for _ in 0..60 {
        log.append(&batch_of).unwrap();
        log.flush().unwrap();
        wal_peak = wal_peak.max(std::fs::metadata(dir.path().join("run.db-wal")).unwrap().len());
    }
    log.flush().unwrap();
    assert!(wal_peak < 128 << 20, "the WAL grew to {wal_peak} bytes");
    assert_eq!(log.head().unwrap().0, 600_000);
    assert!(log.verify().unwrap().ok());
}

#[test]
fn rows_are_committed_within_the_batch_delay_while_the_queue_never_empties() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let log = Arc::new(EventLog::create_with(&path, &meta(), Durability::Batched).unwrap());
    let quote = quotes(1);
    // One-row appends keep the writer's queue full: queuing one costs less than inserting it.
    let appender = {
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for _ in 0..200_000 {
                log.append(&quote).unwrap();
            }
        })
    };
    let mut committed_while_appending = false;
    while !appender.is_finished() {
        if log.head().unwrap().0 > 0 {
            committed_while_appending = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    appender.join().unwrap();
    assert!(committed_while_appending, "no commit until the queue emptied");
}

/// The stored row `seq` re-hashed with `chain` on the stored hash before it, and its stored hash.
fn rehash(path: &Path, chain: ChainHash, seq: u64) -> (Hash, Hash) {
    let log = EventLog::open_readonly(path).unwrap();
    let prev = if seq == 1 {
        chain.genesis()
    } else {
        log.read_rows(seq - 1, 1).unwrap()[0].hash.clone().try_into().unwrap()
    };
    let row = log.read_rows(seq, 1).unwrap().remove(0);
    let fields = chain::RowFields {
        seq,
        ts_event: row.ts_event,
        ts_init: row.ts_init,
        kind: &row.kind,
        instrument_id: row.instrument_id.as_deref(),
        strategy_id: row.strategy_id.as_deref(),
        client_order_id: row.client_order_id.as_deref(),
        payload: &row.payload,
    };
    (chain::row_hash(chain, &prev, &fields), row.hash.try_into().unwrap())
}

fn schema_version(path: &Path) -> String {
    raw(path)
        .query_row("SELECT value FROM meta WHERE key = 'schema_version'", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_new_log_is_schema_2_and_chains_its_rows_with_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample(&dir);
    assert_eq!(schema_version(&path), "2");
    for seq in [1, 2, 54] {
        let (sha, stored) = rehash(&path, ChainHash::Sha256, seq);
        assert_eq!(sha, stored, "seq {seq}");
        assert_ne!(rehash(&path, ChainHash::Blake3, seq).0, stored);
    }
}

#[test]
fn a_log_of_schema_1_opens_verifies_and_grows_on_its_blake3_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let log = EventLog::create_schema(&path, &meta(), Durability::Safe, 1).unwrap();
    log.append(&fixtures::all()).unwrap();
    log.close().unwrap();
    drop(log);
    assert_eq!(schema_version(&path), "1");
    let log = EventLog::open(&path).unwrap();
    assert!(log.torn_tail().is_none());
    let r = log.append(&quotes(600)).unwrap();
    log.save_snapshot(r.last_seq, 1, b"state").unwrap();
    log.close().unwrap();
    drop(log);
    assert_eq!(schema_version(&path), "1", "appending keeps the log's schema");
    for seq in [1, r.first_seq, r.last_seq] {
        let (blake3, stored) = rehash(&path, ChainHash::Blake3, seq);
        assert_eq!(blake3, stored, "seq {seq}");
    }
    let log = EventLog::open_readonly(&path).unwrap();
    let report = log.verify().unwrap();
    assert!(report.ok(), "{}", report.summary(&path));
    assert_eq!((report.last_seq, report.snapshots), (r.last_seq, 1));
    assert_eq!(log.latest_snapshot().unwrap(), Some((r.last_seq, b"state".to_vec())));
    raw(&path).execute("UPDATE events SET ts_init = ts_init + 1 WHERE seq = 40", []).unwrap();
    assert_eq!(first_bad(&path).0, Some(40));
}

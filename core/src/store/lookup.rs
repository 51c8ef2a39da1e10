//! Queries by order id: what left the engine's memory (an order that closed long ago) is still
//! in the log, found through the `client_order_id` index.

use super::error::StoreError;
use super::schema;
use super::EventLog;
use crate::events::Event;
use crate::orders::Order;
use crate::types::ClientOrderId;

/// Every event of one order, in seq order.
pub fn order_events(log: &EventLog, id: ClientOrderId) -> Result<Vec<(u64, Event)>, StoreError> {
    let path = log.path();
    let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
    let conn = schema::connect(path, true)?;
    let mut stmt = conn
        .prepare("SELECT seq, payload FROM events WHERE client_order_id = ?1 ORDER BY seq")
        .map_err(sql)?;
    let rows = stmt
        .query_map([id.as_str()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
        .map_err(sql)?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, payload) = row.map_err(sql)?;
        events.push((seq as u64, Event::from_msgpack(&payload)?));
    }
    Ok(events)
}

/// The order as the log describes it, or None if the log holds no such order.
pub fn order(log: &EventLog, id: ClientOrderId) -> Result<Option<Order>, StoreError> {
    let events = order_events(log, id)?;
    Ok(Order::from_events(events.iter().map(|(_, e)| e)))
}

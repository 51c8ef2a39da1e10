//! A strategy outside Rust, as the engine sees it during and between callbacks: its mirror (what
//! it reads) and its action buffer (what it asks for), with the checks that need both.

use super::{Action, ActionBuffer, Context, Mirror, OrderRequest, RequestError};
use crate::clock::TimerError;
use crate::types::{
    ClientOrderId, Instrument, InstrumentError, InstrumentId, Price, Quantity, StrategyId,
};

/// Why an action was refused at its call site.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("strategy {0}: actions are only possible inside a callback")]
    NotInCallback(StrategyId),
    #[error("unknown instrument {0}")]
    UnknownInstrument(InstrumentId),
    #[error("unknown order {0}")]
    UnknownOrder(ClientOrderId),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Instrument(#[from] InstrumentError),
    #[error(transparent)]
    Timer(#[from] TimerError),
}

/// See the module documentation.
#[derive(Debug)]
pub struct Link {
    pub mirror: Mirror,
    pub actions: ActionBuffer,
}

impl Link {
    pub fn new(strategy_id: StrategyId) -> Self {
        Self { mirror: Mirror::new(strategy_id), actions: ActionBuffer::new(strategy_id) }
    }

    /// A callback begins.
    pub fn begin(&mut self, ctx: &Context<'_>) {
        self.mirror.refresh_instruments(ctx);
        self.actions.begin(ctx.now(), ctx.order_count());
    }

    /// A callback ended: its actions go to the engine (dropped when it failed).
    pub fn finish(&mut self, ctx: &mut Context<'_>, succeeded: bool) -> Result<(), RequestError> {
        self.actions.finish(ctx, succeeded)
    }

    /// Refuses an action outside a callback.
    pub fn acting(&self) -> Result<(), ActionError> {
        if self.actions.is_open() {
            Ok(())
        } else {
            Err(ActionError::NotInCallback(self.actions.strategy_id()))
        }
    }

    /// The instrument, as the strategy knows it.
    pub fn instrument(&self, id: InstrumentId) -> Result<&Instrument, ActionError> {
        self.mirror.instrument(id).ok_or(ActionError::UnknownInstrument(id))
    }

    /// Submits a request (checked against its type and the instrument's grid); its id.
    pub fn submit(&mut self, request: OrderRequest) -> Result<ClientOrderId, ActionError> {
        self.acting()?;
        request.validate()?;
        request.check_instrument(self.instrument(request.instrument_id)?)?;
        Ok(self.actions.submit(request)?)
    }

    /// An order of this strategy the engine has told it about (not one submitted in this
    /// callback, which is not at the engine yet).
    fn known(&self, id: ClientOrderId) -> Result<&crate::orders::Order, ActionError> {
        self.mirror.order(id).ok_or(ActionError::UnknownOrder(id))
    }

    pub fn cancel(&mut self, id: ClientOrderId) -> Result<(), ActionError> {
        self.acting()?;
        self.known(id)?;
        self.actions.push(Action::Cancel(id));
        Ok(())
    }

    /// Changes quantity and/or prices, checked against the order's instrument.
    pub fn modify(
        &mut self,
        id: ClientOrderId,
        quantity: Option<Quantity>,
        price: Option<Price>,
        trigger_price: Option<Price>,
    ) -> Result<(), ActionError> {
        self.acting()?;
        let instrument = self.instrument(self.known(id)?.instrument_id())?;
        for p in [price, trigger_price].into_iter().flatten() {
            instrument.check_price(p)?;
        }
        if let Some(q) = quantity {
            instrument.check_quantity(q)?;
        }
        self.actions.push(Action::Modify { id, quantity, price, trigger_price });
        Ok(())
    }

    pub fn cancel_all(&mut self, instrument_id: Option<InstrumentId>) -> Result<(), ActionError> {
        self.acting()?;
        self.instrument_opt(instrument_id)?;
        self.actions.push(Action::CancelAll(instrument_id));
        Ok(())
    }

    pub fn close_all(&mut self, instrument_id: Option<InstrumentId>) -> Result<(), ActionError> {
        self.acting()?;
        self.instrument_opt(instrument_id)?;
        self.actions.push(Action::CloseAll(instrument_id));
        Ok(())
    }

    pub fn set_timer(
        &mut self,
        name: &str,
        at: crate::types::UnixNanos,
        interval_ns: Option<u64>,
        stop: Option<crate::types::UnixNanos>,
    ) -> Result<(), ActionError> {
        self.acting()?;
        Ok(self.actions.set_timer(name, at, interval_ns, stop)?)
    }

    pub fn cancel_timer(&mut self, name: &str) -> Result<(), ActionError> {
        self.acting()?;
        self.actions.push(Action::CancelTimer(name.to_owned()));
        Ok(())
    }

    fn instrument_opt(&self, id: Option<InstrumentId>) -> Result<(), ActionError> {
        id.map(|i| self.instrument(i).map(|_| ())).transpose().map(|_| ())
    }
}

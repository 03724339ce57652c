//! The GARCH(1,1) volatility model (`hft_models::garch`) as a component
//! exporting `hft:strategy/volatility`. Only adaptation lives here; the math
//! and its conventions (arch's) are in the model crate and `README.md`.

wit_bindgen::generate!({
    world: "volatility-model",
    path: "../../wit",
    with: { "hft:strategy/types@0.1.1": hft_sdk::types },
});

use exports::hft::strategy::volatility::{FitReport, Guest, GuestModel, Model, ModelBorrow, Step, StepBatch};
use hft_models::garch::{self, Garch, GarchStep};
use hft_sdk::LastError;
use hft_sdk::types::{ErrorKind, ModelError, ModelInfo, Param};
use std::cell::RefCell;
use std::rc::Rc;

struct Component;

impl Guest for Component {
    type Model = GarchModel;

    fn describe() -> ModelInfo {
        hft_sdk::model_info(garch::NAME, garch::VERSION, garch::DESCRIPTION, &garch::param_specs(), garch::OUTPUTS)
    }

    fn activate(m: ModelBorrow<'_>) {
        let state = m.get::<GarchModel>().0.clone();
        ACTIVE.with(|a| *a.borrow_mut() = Some(state));
    }

    fn update_active(ret: f64) -> Result<Step, ErrorKind> {
        ACTIVE.with(|a| match &*a.borrow() {
            Some(state) => state.update(ret),
            None => Err(ErrorKind::NotReady),
        })
    }
}

thread_local! {
    /// The model `update-active` feeds: shares the state of the model last
    /// passed to `activate`, whose resource handle still owns it.
    static ACTIVE: RefCell<Option<Rc<State>>> = const { RefCell::new(None) };
}

/// One GARCH model with its return window, and the message of its last
/// failed update.
struct State {
    model: RefCell<Garch>,
    last_error: LastError,
}

impl State {
    #[inline]
    fn update(&self, ret: f64) -> Result<Step, ErrorKind> {
        self.model.borrow_mut().update(ret).map(step).map_err(|e| self.last_error.record(e))
    }
}

/// One GARCH model; the host owns it through a handle.
struct GarchModel(Rc<State>);

impl GarchModel {
    fn wrap(model: Garch) -> Model {
        Model::new(GarchModel(Rc::new(State { model: RefCell::new(model), last_error: LastError::default() })))
    }
}

impl Drop for GarchModel {
    /// A dropped model stops being the active one.
    fn drop(&mut self) {
        ACTIVE.with(|a| {
            let mut a = a.borrow_mut();
            if a.as_ref().is_some_and(|s| Rc::ptr_eq(s, &self.0)) {
                *a = None;
            }
        });
    }
}

fn step(s: GarchStep) -> Step {
    Step {
        variance: s.variance,
        forecast: s.forecast,
        mean: s.mean,
        std_resid: s.std_resid,
        loglik: s.loglik,
        ready: s.ready,
        refitted: s.refitted,
    }
}

impl GuestModel for GarchModel {
    fn create(params: Vec<Param>) -> Result<Model, ModelError> {
        Ok(GarchModel::wrap(Garch::new(&hft_sdk::from_wit_params(params))?))
    }

    fn restore(snapshot: Vec<u8>) -> Result<Model, ModelError> {
        Ok(GarchModel::wrap(Garch::restore(&snapshot)?))
    }

    fn update(&self, ret: f64) -> Result<Step, ErrorKind> {
        self.0.update(ret)
    }

    fn last_error(&self) -> String {
        self.0.last_error.message()
    }

    fn update_batch(&self, rets: Vec<f64>) -> Result<StepBatch, ModelError> {
        let n = rets.len();
        let mut out = StepBatch {
            variance: Vec::with_capacity(n),
            forecast: Vec::with_capacity(n),
            mean: Vec::with_capacity(n),
            std_resid: Vec::with_capacity(n),
            loglik: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
        };
        let mut model = self.0.model.borrow_mut();
        hft_sdk::all_or_nothing(
            &mut *model,
            n,
            |m, i| m.update(rets[i]),
            |s: GarchStep| {
                out.variance.push(s.variance);
                out.forecast.push(s.forecast);
                out.mean.push(s.mean);
                out.std_resid.push(s.std_resid);
                out.loglik.push(s.loglik);
                out.status.push(u8::from(s.ready) | (u8::from(s.refitted) << 1));
            },
        )?;
        Ok(out)
    }

    fn fit(&self, rets: Vec<f64>) -> Result<FitReport, ModelError> {
        let report = self.0.model.borrow_mut().fit(&rets)?;
        Ok(FitReport {
            params: hft_sdk::to_wit_params(report.params),
            loglik: report.loglik,
            nobs: report.nobs,
            iterations: report.iterations,
            converged: report.converged,
        })
    }

    fn forecast(&self, horizon: u32) -> Result<Vec<f64>, ModelError> {
        Ok(self.0.model.borrow().forecast(horizon)?)
    }

    fn snapshot(&self) -> Vec<u8> {
        self.0.model.borrow().snapshot()
    }

    fn params(&self) -> Vec<Param> {
        hft_sdk::to_wit_params(self.0.model.borrow().params())
    }
}

export!(Component);

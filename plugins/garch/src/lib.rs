//! The GARCH(1,1) volatility model (`hft_models::garch`) as a component
//! exporting `hft:strategy/volatility`. Only adaptation lives here; the math
//! and its conventions (arch's) are in the model crate and `README.md`.

wit_bindgen::generate!({
    world: "volatility-model",
    path: "../../wit",
    with: { "hft:strategy/types@0.1.0": hft_sdk::types },
});

use exports::hft::strategy::volatility::{FitReport, Guest, GuestModel, Model, Step, StepBatch};
use hft_models::garch::{self, Garch, GarchStep};
use hft_sdk::LastError;
use hft_sdk::types::{ErrorKind, ModelError, ModelInfo, Param};
use std::cell::RefCell;

struct Component;

impl Guest for Component {
    type Model = GarchModel;

    fn describe() -> ModelInfo {
        hft_sdk::model_info(garch::NAME, garch::VERSION, garch::DESCRIPTION, &garch::param_specs(), garch::OUTPUTS)
    }
}

/// One GARCH model with its return window; the host owns it through a handle.
struct GarchModel {
    model: RefCell<Garch>,
    last_error: LastError,
}

impl GarchModel {
    fn wrap(model: Garch) -> Model {
        Model::new(GarchModel { model: RefCell::new(model), last_error: LastError::default() })
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
        self.model.borrow_mut().update(ret).map(step).map_err(|e| self.last_error.record(e))
    }

    fn last_error(&self) -> String {
        self.last_error.message()
    }

    fn update_batch(&self, rets: Vec<f64>) -> Result<StepBatch, ModelError> {
        let n = rets.len();
        let mut out = StepBatch {
            variance: Vec::with_capacity(n),
            forecast: Vec::with_capacity(n),
            mean: Vec::with_capacity(n),
            std_resid: Vec::with_capacity(n),
            loglik: Vec::with_capacity(n),
            ready: Vec::with_capacity(n),
            refitted: Vec::with_capacity(n),
        };
        let mut model = self.model.borrow_mut();
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
                out.ready.push(s.ready);
                out.refitted.push(s.refitted);
            },
        )?;
        Ok(out)
    }

    fn fit(&self, rets: Vec<f64>) -> Result<FitReport, ModelError> {
        let report = self.model.borrow_mut().fit(&rets)?;
        Ok(FitReport {
            params: hft_sdk::to_wit_params(report.params),
            loglik: report.loglik,
            nobs: report.nobs,
            iterations: report.iterations,
            converged: report.converged,
        })
    }

    fn forecast(&self, horizon: u32) -> Result<Vec<f64>, ModelError> {
        Ok(self.model.borrow().forecast(horizon)?)
    }

    fn snapshot(&self) -> Vec<u8> {
        self.model.borrow().snapshot()
    }

    fn params(&self) -> Vec<Param> {
        hft_sdk::to_wit_params(self.model.borrow().params())
    }
}

export!(Component);

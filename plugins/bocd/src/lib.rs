//! Bayesian online changepoint detection (`hft_models::bocd`) as a component
//! exporting `hft:strategy/changepoint`. Only adaptation lives here; the math
//! and its conventions are in the model crate and `README.md`.

wit_bindgen::generate!({
    world: "changepoint-model",
    path: "../../wit",
    with: { "hft:strategy/types@0.1.1": hft_sdk::types },
});

use exports::hft::strategy::changepoint::{Guest, GuestModel, Model, Step, StepBatch};
use hft_models::bocd::{self, Bocd, BocdStep};
use hft_sdk::LastError;
use hft_sdk::types::{ErrorKind, ModelError, ModelInfo, Param};
use std::cell::RefCell;

struct Component;

impl Guest for Component {
    type Model = BocdModel;

    fn describe() -> ModelInfo {
        hft_sdk::model_info(bocd::NAME, bocd::VERSION, bocd::DESCRIPTION, &bocd::param_specs(), bocd::OUTPUTS)
    }
}

/// One run-length posterior; the host owns it through a handle.
struct BocdModel {
    model: RefCell<Bocd>,
    last_error: LastError,
}

impl BocdModel {
    fn wrap(model: Bocd) -> Model {
        Model::new(BocdModel { model: RefCell::new(model), last_error: LastError::default() })
    }
}

fn step(s: BocdStep) -> Step {
    Step {
        change_prob: s.change_prob,
        map_length: s.map_length,
        segment_mean: s.segment_mean,
        segment_var: s.segment_var,
        pruned_mass: s.pruned_mass,
        hypotheses: s.hypotheses,
    }
}

impl GuestModel for BocdModel {
    fn create(params: Vec<Param>) -> Result<Model, ModelError> {
        Ok(BocdModel::wrap(Bocd::new(&hft_sdk::from_wit_params(params))?))
    }

    fn restore(snapshot: Vec<u8>) -> Result<Model, ModelError> {
        Ok(BocdModel::wrap(Bocd::restore(&snapshot)?))
    }

    fn update(&self, x: f64) -> Result<Step, ErrorKind> {
        self.model.borrow_mut().update(x).map(step).map_err(|e| self.last_error.record(e))
    }

    fn last_error(&self) -> String {
        self.last_error.message()
    }

    fn update_batch(&self, xs: Vec<f64>) -> Result<StepBatch, ModelError> {
        let n = xs.len();
        let mut out = StepBatch {
            change_prob: Vec::with_capacity(n),
            map_length: Vec::with_capacity(n),
            segment_mean: Vec::with_capacity(n),
            segment_var: Vec::with_capacity(n),
            pruned_mass: Vec::with_capacity(n),
            hypotheses: Vec::with_capacity(n),
        };
        let mut model = self.model.borrow_mut();
        hft_sdk::all_or_nothing(
            &mut *model,
            n,
            |m, i| m.update(xs[i]),
            |s: BocdStep| {
                out.change_prob.push(s.change_prob);
                out.map_length.push(s.map_length);
                out.segment_mean.push(s.segment_mean);
                out.segment_var.push(s.segment_var);
                out.pruned_mass.push(s.pruned_mass);
                out.hypotheses.push(s.hypotheses);
            },
        )?;
        Ok(out)
    }

    fn change_prob(&self, window: u32) -> f64 {
        self.model.borrow().change_prob(window)
    }

    fn run_length_posterior(&self) -> Vec<f64> {
        self.model.borrow().run_length_posterior()
    }

    fn snapshot(&self) -> Vec<u8> {
        self.model.borrow().snapshot()
    }

    fn params(&self) -> Vec<Param> {
        hft_sdk::to_wit_params(self.model.borrow().params())
    }
}

export!(Component);

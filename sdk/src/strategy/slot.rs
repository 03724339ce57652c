/// A leg or signal a strategy declares in its `describe`.
#[derive(Debug, Clone, Copy)]
pub struct SlotSpec {
    /// The name configuration refers to (`y`, `zscore`).
    pub name: &'static str,
    /// One line for `hft-host plugin inspect`.
    pub description: &'static str,
}

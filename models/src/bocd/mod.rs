//! BOCD (being written).

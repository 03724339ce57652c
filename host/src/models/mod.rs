//! Model handles.

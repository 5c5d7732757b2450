//! What every conformance test runs on: a fresh store of one backend ([`backend`]), the data
//! tests build from ([`fixtures`]) and the checks they share ([`checks`]).

mod backend;
mod checks;
mod fixtures;

pub use backend::{Backend, TestStore};
pub use checks::{PackContents, assert_conflict, assert_not_found, assert_unknown_reference, ids};
pub use fixtures::*;

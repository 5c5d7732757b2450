//! The template environment every part of Attune renders with: rule parameters now,
//! workflow inputs, transitions and outputs next.
//!
//! Templates are written by rule and workflow authors and rendered inside the server, over
//! data that may come from anyone (event payloads). So the environment is Tera narrowed to
//! what templates need, the way Spin narrows wasmtime:
//! - **no host access**: `get_env` answers an error; there are no other templates to
//!   include, extend or import, and macros (and so recursion) are refused;
//! - **bounded work**: every `for` loop is counted (all iterations of one render together
//!   may not exceed [`TemplateLimits::loop_iterations`]), `range` produces at most
//!   [`TemplateLimits::range_items`] items, and `set_global` (which lets a loop grow a value
//!   iteration after iteration) is refused;
//! - **bounded output**: what one render writes is at most [`TemplateLimits::output_bytes`].
//!
//! A template over a limit fails to render with a message saying which; nothing else is
//! affected.
//!
//! Module plan:
//! - [`limits`]: the bounds of one render ([`TemplateLimits`]).
//! - [`check`]: the constructs a template may not use, checked on the parsed template (also
//!   when a rule is saved, before anything renders it).
//! - [`kv`]: `kv("name")`, the datastore function, read ahead through [`KvLookup`] (Tera's
//!   functions are synchronous) and telling which values were secrets.
//! - [`render`]: rendering every string of a JSON value, a lone `{{ expression }}` keeping
//!   its value's type.
//! - [`values`]: functions of no arguments that stand for a value the caller gives (a
//!   workflow's `result()`), read as variables so that `result().field` works.
//! - `environment`: the Tera instance with its functions and counting filters.

pub mod check;
mod environment;
pub mod kv;
pub mod limits;
pub mod render;
pub mod values;

pub use check::check_value;
pub use kv::{KvLookup, KvValue};
pub use limits::TemplateLimits;
pub use render::{Rendered, Scope, TemplateError, holding, render};

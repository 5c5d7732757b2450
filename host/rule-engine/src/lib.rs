//! Rule criteria and parameter templates (SPEC §8): pure logic, no store, no I/O beyond a
//! datastore lookup trait.
//!
//! - [`criteria`]: whether an event matches a rule's criteria — a mapping of dotted path to
//!   `{type: <operator>, pattern: <value>}`, all of which must hold.
//! - [`path`]: what a dotted path addresses in an event (`trigger.x` and `event.payload.x`
//!   both address the payload).
//! - [`template`]: rendering a rule's `parameters` in the shared template environment, with
//!   the namespaces `event`, `pack.config`, `system` and a `kv("name")` function.

pub mod criteria;
pub mod path;
pub mod template;

pub use criteria::{CriteriaError, evaluate};
pub use path::EventView;
pub use template::{KvLookup, KvValue, Rendered, TemplateContext, TemplateError, check, render};

//! What operators watch: Prometheus metrics and health probes, the same in every role.
//!
//! Roles record facts as they happen (an execution changed status, a message was
//! published, a request was answered) through the functions of [`record`], which name every
//! series in one place; nobody formats exposition text by hand. The [`exporter`] keeps
//! them in one process-wide Prometheus recorder (the `metrics` facade with
//! `metrics-exporter-prometheus`), rendered at each scrape. [`ops`] answers the three
//! routes operators and orchestrators call: `/metrics` (open, behind a token, or off),
//! `/health/live` and `/health/ready`; the API serves them beside `/api/v1`, and the
//! roles without an API (executor, worker, sensor) on a small listener of their own.
//!
//! [`trace`] gives every role W3C trace context: spans per unit of work, continued across
//! processes through HTTP headers, bus messages and the execution row, exported over OTLP
//! when configured.
//!
//! Labels hold only bounded sets: statuses, runtimes, queue kinds, route templates (never
//! a raw path a caller chose), and refs of installed actions, rules and triggers.
//!
//! Module plan:
//! - [`record`]: every series, its name, labels and the function that records it.
//! - [`exporter`]: the process-wide recorder and its rendering.
//! - [`ops`]: the `/metrics`, `/health/live` and `/health/ready` handlers, the access
//!   setting of `/metrics`, the [`ops::Probes`] a role answers readiness with, and the
//!   serving of the role listener.
//! - [`trace`]: [`trace::TraceParent`], the OpenTelemetry layer of every process's
//!   subscriber, and the helpers roles open and continue traced spans with.

pub mod exporter;
pub mod ops;
pub mod record;
pub mod trace;

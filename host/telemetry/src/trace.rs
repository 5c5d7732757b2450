//! Traces: one trace per execution, from the request or webhook post that caused it, through
//! the rules engine, the executor and the worker, into the action.
//!
//! Roles work in `tracing` spans; the OpenTelemetry layer ([`layer`]) gives every span of an
//! Attune crate a W3C trace context and, when a collector is configured, exports it over
//! OTLP/HTTP. What crosses a process boundary is a [`TraceParent`] (the W3C `traceparent`
//! value): read from an HTTP request's header, carried in a bus message's headers, stored
//! on the execution row (so that whoever picks the execution up later — a worker after a
//! restart, the reconciler — continues its trace), and handed to native actions as
//! `TRACEPARENT`.
//!
//! A traceparent is hostile input (any HTTP caller may send one): it is parsed by the
//! OpenTelemetry propagator and written back from the parsed ids, so what is stored,
//! logged or put into an action's environment is always `00-<32 hex>-<16 hex>-<2 hex>`.
//!
//! Every span a role opens for a unit of work declares a `trace_id` field, filled by
//! [`continue_trace`], so that JSON logs written inside it carry the trace id.

use std::collections::HashMap;
use std::time::Duration;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterFn, LevelFilter};
use tracing_subscriber::registry::LookupSpan;

/// The W3C header and variable names: `traceparent` on HTTP and the bus, `TRACEPARENT` in
/// a native action's environment.
pub const HEADER: &str = "traceparent";

/// The name of the span field that holds the trace id, for logs.
pub const TRACE_ID_FIELD: &str = "trace_id";

/// How long finished spans wait to be exported together.
const EXPORT_DELAY: Duration = Duration::from_secs(2);

/// How long one export may take, the last one at exit included.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(3);

/// A validated W3C `traceparent`: version `00`, a trace id, the parent span's id and the
/// flags, in lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TraceParent(String);

impl TraceParent {
    /// Parses `value`; `None` when it is not a valid traceparent (wrong length or version,
    /// not hex, an all-zero id).
    pub fn parse(value: &str) -> Option<Self> {
        let carrier = HashMap::from([(HEADER.to_owned(), value.trim().to_owned())]);
        let context = TraceContextPropagator::new().extract(&carrier);
        Self::of_context(&context)
    }

    /// The traceparent of the span current in `context`, if it has a valid one.
    fn of_context(context: &Context) -> Option<Self> {
        let span = context.span();
        let span_context = span.span_context();
        span_context.is_valid().then(|| {
            Self(format!(
                "00-{}-{}-{:02x}",
                span_context.trace_id(),
                span_context.span_id(),
                span_context.trace_flags().to_u8()
            ))
        })
    }

    /// The value, as sent in headers.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The trace's id (32 hex digits).
    pub fn trace_id(&self) -> &str {
        &self.0[3..35]
    }

    /// The parent span's id (16 hex digits).
    pub fn span_id(&self) -> &str {
        &self.0[36..52]
    }

    /// A context whose current span is this remote parent.
    fn context(&self) -> Context {
        let carrier = HashMap::from([(HEADER.to_owned(), self.0.clone())]);
        TraceContextPropagator::new().extract(&carrier)
    }
}

impl std::fmt::Display for TraceParent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TraceParent {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("not a W3C traceparent: {value:?}"))
    }
}

impl From<TraceParent> for String {
    fn from(value: TraceParent) -> Self {
        value.0
    }
}

/// The trace context of the current span: what a message published or an execution created
/// now continues. `None` outside any traced span.
pub fn current() -> Option<TraceParent> {
    of(&Span::current())
}

/// The trace context of `span`, if it is traced.
pub fn of(span: &Span) -> Option<TraceParent> {
    TraceParent::of_context(&span.context())
}

/// Makes `span` (just created, not yet entered) a child of `parent` when there is one (else
/// it stays the child of the span it was opened in, or the root of a new trace), and
/// records its trace id in its `trace_id` field.
pub fn continue_trace(span: &Span, parent: Option<&TraceParent>) {
    if let Some(parent) = parent {
        // Fails only without the OpenTelemetry layer (then nothing is traced anyway).
        let _ = span.set_parent(parent.context());
    }
    if let Some(context) = of(span) {
        span.record(TRACE_ID_FIELD, context.trace_id());
    }
}

/// Trace settings: where spans are exported and which share of new traces is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSettings {
    /// The service name spans are exported under (`attune-api`, `attune-worker`, …).
    pub service: String,
    /// The OTLP/HTTP traces endpoint (`http://collector:4318/v1/traces`); nothing is
    /// exported when unset, but trace contexts are still made and propagated.
    pub otlp_endpoint: Option<String>,
    /// The share of new traces recorded and exported, from 0 to 1; a trace continued from a
    /// caller follows the caller's decision.
    pub sample_ratio: f64,
}

/// Why tracing cannot start.
#[derive(Debug, thiserror::Error)]
#[error("cannot export traces to {endpoint}: {reason}")]
pub struct TraceError {
    endpoint: String,
    reason: String,
}

/// Flushes and stops span export when dropped (at the end of `main`).
pub struct Tracing {
    provider: SdkTracerProvider,
}

impl Drop for Tracing {
    fn drop(&mut self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!(%error, "traces not flushed");
        }
    }
}

/// The OpenTelemetry layer of a process's subscriber, and the guard that flushes it. Only
/// spans of Attune's own crates become OpenTelemetry spans (log events stay logs).
pub fn layer<S>(settings: &TraceSettings) -> Result<(impl Layer<S>, Tracing), TraceError>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(settings.sample_ratio.clamp(0.0, 1.0))));
    let mut provider = SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_resource(Resource::builder().with_service_name(settings.service.clone()).build())
        .with_resource(
            Resource::builder_empty()
                .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                .build(),
        );
    if let Some(endpoint) = &settings.otlp_endpoint {
        let failed = |reason: String| TraceError { endpoint: endpoint.clone(), reason };
        if !endpoint.starts_with("http://") {
            return Err(failed("the endpoint must be an http:// URL".into()));
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint.clone())
            // A collector that does not answer must not hold a stopping process for long.
            .with_timeout(EXPORT_TIMEOUT)
            .build()
            .map_err(|e| failed(e.to_string()))?;
        let processor = BatchSpanProcessor::builder(exporter)
            .with_batch_config(BatchConfigBuilder::default().with_scheduled_delay(EXPORT_DELAY).build())
            .build();
        provider = provider.with_span_processor(processor);
    }
    let provider = provider.build();
    let tracer = provider.tracer("attune");
    // No source locations, thread names or busy/idle times per span: each is work on every
    // span (the times on every poll of an instrumented future) that says nothing a trace
    // of an execution needs.
    let layer = tracing_opentelemetry::layer()
        .with_tracer(tracer)
        .with_location(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
        .with_filter(
            FilterFn::new(|metadata| metadata.is_span() && metadata.target().starts_with("attune"))
                // Without a hint the subscriber's level would be TRACE, and every `log`
                // record of every crate (Cranelift writes many while compiling) would be
                // turned into an event only to be dropped.
                .with_max_level_hint(LevelFilter::INFO),
        );
    Ok((layer, Tracing { provider }))
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn a_valid_traceparent_is_kept_and_its_parts_read() {
        let parent = TraceParent::parse(VALID).unwrap();
        assert_eq!(parent.as_str(), VALID);
        assert_eq!(parent.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(parent.span_id(), "00f067aa0ba902b7");
        let text = serde_json::to_string(&parent).unwrap();
        assert_eq!(serde_json::from_str::<TraceParent>(&text).unwrap(), parent);
    }

    #[test]
    fn hostile_or_malformed_values_are_refused() {
        for value in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nX-Injected: 1",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01; rm -rf /",
        ] {
            assert_eq!(TraceParent::parse(value), None, "{value:?}");
        }
        assert!(serde_json::from_str::<TraceParent>("\"nonsense\"").is_err());
    }

    #[test]
    fn a_span_continues_its_parent_and_its_children_inherit_the_trace() {
        let registry = tracing_subscriber::registry();
        let (layer, _tracing) =
            layer(&TraceSettings { service: "attune-test".into(), otlp_endpoint: None, sample_ratio: 1.0 }).unwrap();
        let subscriber = registry.with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let parent = TraceParent::parse(VALID).unwrap();
            let span = tracing::info_span!("work", trace_id = tracing::field::Empty);
            continue_trace(&span, Some(&parent));
            let own = of(&span).unwrap();
            assert_eq!(own.trace_id(), parent.trace_id());
            assert_ne!(own.span_id(), parent.span_id(), "a span of its own, under the caller's");

            let child = span.in_scope(|| {
                let child = tracing::info_span!("step");
                child.in_scope(current).unwrap()
            });
            assert_eq!(child.trace_id(), parent.trace_id());
            assert_ne!(child.span_id(), own.span_id());

            let root = tracing::info_span!("other", trace_id = tracing::field::Empty);
            continue_trace(&root, None);
            assert_ne!(of(&root).unwrap().trace_id(), parent.trace_id(), "a new trace");
        });
    }

    #[test]
    fn the_layer_asks_for_nothing_below_info() {
        use tracing::Subscriber;
        let settings = TraceSettings { service: "attune-test".into(), otlp_endpoint: None, sample_ratio: 1.0 };
        let (layer, _tracing) = layer(&settings).unwrap();
        let subscriber = tracing_subscriber::registry().with(layer);
        // Anything finer would make every crate's debug and trace records (and `log`'s,
        // through the bridge) reach the filters at run time.
        assert_eq!(subscriber.max_level_hint(), Some(LevelFilter::INFO));
    }

    #[test]
    fn an_endpoint_that_is_not_a_url_is_refused() {
        let settings = TraceSettings {
            service: "attune-test".into(),
            otlp_endpoint: Some("collector:4318".into()),
            sample_ratio: 1.0,
        };
        let error = layer::<tracing_subscriber::Registry>(&settings).err().unwrap();
        assert!(error.to_string().contains("http://"), "{error}");
    }
}

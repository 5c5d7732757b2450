//! Lifecycle and classification enums.
//!
//! Every enum is stored and serialized as its snake_case name; [`std::str::FromStr`] parses
//! that name back (the store uses it to read rows).

use serde::{Deserialize, Serialize};

/// A string did not name a variant of an enum.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {kind}")]
pub struct UnknownVariant {
    /// The enum's name.
    pub kind: &'static str,
    /// The string given.
    pub value: String,
}

/// Declares a string-backed enum with `as_str`, `ALL`, `Display` and `FromStr`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialized name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        // Stored as text (with a CHECK constraint listing the names) in every backend.
        impl<DB: sqlx::Database> sqlx::Type<DB> for $name
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $name
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(text.parse()?)
            }
        }

        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $name
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut DB::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownVariant { kind: stringify!($name), value: value.to_owned() }),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// Where an execution is in its life. Every change is a conditional update in the store.
    ExecutionStatus {
        /// Accepted, waiting for the executor.
        Requested = "requested",
        /// Accepted, to be requested at its `run_after` time.
        Delayed = "delayed",
        /// The executor is checking policies and choosing a worker.
        Scheduling = "scheduling",
        /// Held back by a concurrency or rate-limit policy, waiting its turn (FIFO).
        Queued = "queued",
        /// Waiting for a human answer to its inquiry; no worker slot held.
        Pending = "pending",
        /// Assigned to a worker, not started yet.
        Scheduled = "scheduled",
        /// A worker is running it.
        Running = "running",
        /// Finished successfully.
        Completed = "completed",
        /// Finished unsuccessfully.
        Failed = "failed",
        /// A cancel was requested; the worker is stopping it.
        Canceling = "canceling",
        /// Stopped by a user.
        Cancelled = "cancelled",
        /// Ran past its time limit.
        Timeout = "timeout",
        /// Its worker died while it ran.
        Abandoned = "abandoned",
    }
}

impl ExecutionStatus {
    /// True once the execution can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled | Self::Timeout | Self::Abandoned)
    }
}

string_enum! {
    /// What happened to a rule's enforcement of an event.
    EnforcementStatus {
        /// Recorded, execution not created yet.
        Created = "created",
        /// Handled: an execution was created, or a failure reason recorded.
        Processed = "processed",
        /// The rule was disabled when the event arrived.
        Disabled = "disabled",
    }
}

string_enum! {
    /// How a rule combines its criteria.
    EnforcementCondition {
        /// At least one criterion matches.
        Any = "any",
        /// Every criterion matches.
        All = "all",
    }
}

string_enum! {
    /// Where a human-input request is in its life.
    InquiryStatus {
        /// Waiting for an answer.
        Pending = "pending",
        /// Answered.
        Responded = "responded",
        /// Nobody answered in time.
        Timeout = "timeout",
        /// Withdrawn (its execution was cancelled).
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// A worker's health.
    WorkerStatus {
        /// Heartbeating and accepting work.
        Active = "active",
        /// Stopped heartbeating.
        Inactive = "inactive",
        /// Heartbeating but at capacity.
        Busy = "busy",
        /// Reported an error.
        Error = "error",
    }
}

string_enum! {
    /// Whether the sensor service is running a sensor.
    SensorStatus {
        /// Being started.
        Starting = "starting",
        /// Running (polling, or its process alive).
        Running = "running",
        /// Not running (disabled, or no sensor service).
        Stopped = "stopped",
        /// Crashing or failing to poll; restarted with back-off.
        Failing = "failing",
    }
}

string_enum! {
    /// How a worker is deployed.
    WorkerType {
        /// A process on this host (embedded mode).
        Local = "local",
        /// A process on another host.
        Remote = "remote",
        /// A container.
        Container = "container",
    }
}

string_enum! {
    /// Who owns a datastore key.
    KeyOwnerType {
        /// The whole installation.
        System = "system",
        /// One identity.
        Identity = "identity",
        /// One pack.
        Pack = "pack",
        /// One action.
        Action = "action",
        /// One sensor.
        Sensor = "sensor",
    }
}

string_enum! {
    /// Delivery state of a notification.
    NotificationState {
        /// Recorded.
        Created = "created",
        /// Handed to the bus.
        Queued = "queued",
        /// Being delivered.
        Processing = "processing",
        /// Delivery failed.
        Error = "error",
    }
}

string_enum! {
    /// How an artifact is displayed.
    ArtifactType {
        /// A binary file for download.
        FileBinary = "file_binary",
        /// Tabular data.
        FileDatatable = "file_datatable",
        /// An image.
        FileImage = "file_image",
        /// A text file.
        FileText = "file_text",
        /// A link.
        Url = "url",
        /// Progress data.
        Progress = "progress",
        /// Anything else.
        Other = "other",
    }
}

string_enum! {
    /// How long artifacts are kept.
    RetentionPolicyType {
        /// Keep the last N versions.
        Versions = "versions",
        /// Keep for N days.
        Days = "days",
        /// Keep for N hours.
        Hours = "hours",
        /// Keep for N minutes.
        Minutes = "minutes",
    }
}

string_enum! {
    /// What an execution policy limits.
    PolicyType {
        /// At most `threshold` executions running at once.
        Concurrency = "concurrency",
        /// At most `threshold` executions per window.
        RateLimit = "rate_limit",
        /// Re-run failed or timed-out executions.
        Retry = "retry",
    }
}

string_enum! {
    /// What happens to an execution a policy does not admit now.
    PolicyMethod {
        /// Wait in a FIFO queue.
        Enqueue = "enqueue",
        /// Cancel it.
        Cancel = "cancel",
    }
}

string_enum! {
    /// The kind of code an action or sensor is.
    RunnerType {
        /// A WebAssembly component run in the sandbox.
        Wasm = "wasm",
        /// A Python script.
        Python = "python",
        /// A shell script.
        Shell = "shell",
        /// A Node.js script.
        Node = "node",
        /// A workflow (a graph of other actions).
        Workflow = "workflow",
        /// Built into the platform (the core timers).
        Builtin = "builtin",
        /// Asks a question (an inquiry) and waits for the answer; handled by the executor.
        Inquiry = "inquiry",
    }
}

string_enum! {
    /// How a native action's stdout becomes its result.
    OutputFormat {
        /// One JSON document.
        Json = "json",
        /// One YAML document.
        Yaml = "yaml",
        /// Plain text, returned as `{"stdout": ...}`.
        Text = "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for status in ExecutionStatus::ALL {
            assert_eq!(status.as_str().parse::<ExecutionStatus>().unwrap(), *status);
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert_eq!(RunnerType::Wasm.to_string(), "wasm");
        assert_eq!(
            "later".parse::<InquiryStatus>(),
            Err(UnknownVariant { kind: "InquiryStatus", value: "later".into() })
        );
    }

    #[test]
    fn terminal_statuses() {
        let terminal: Vec<_> = ExecutionStatus::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.as_str()).collect();
        assert_eq!(terminal, ["completed", "failed", "cancelled", "timeout", "abandoned"]);
    }
}

//! `attune:automation/log`: levelled lines into the execution's captured log.

use super::HostState;
use crate::bindings::log::{Host, Level};

impl Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        let level = match level {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        };
        self.log.log(level, &message);
    }
}

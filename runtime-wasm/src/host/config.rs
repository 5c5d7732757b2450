//! `attune:automation/config`: the pack configuration, read-only, as JSON text.

use super::HostState;
use crate::bindings::config::Host;

impl Host for HostState {
    fn get_all(&mut self) -> String {
        if self.pack_config.is_null() {
            return "{}".to_owned();
        }
        self.pack_config.to_string()
    }

    fn get(&mut self, key: String) -> Option<String> {
        self.pack_config.get(&key).map(|value| value.to_string())
    }
}

//! `attune:automation/secrets`: only granted names are answered; other requests are
//! refused, remembered for the outcome and written to the audit log.

use super::HostState;
use crate::bindings::secrets::Host;

impl Host for HostState {
    fn get(&mut self, name: String) -> Option<String> {
        if let Some(value) = self.secrets.get(&name) {
            return Some(value.clone());
        }
        tracing::warn!(
            target: "attune::audit",
            requester = %self.requester,
            secret = %name,
            "secret requested without a grant: answered none"
        );
        if !self.denied_secrets.contains(&name) {
            self.denied_secrets.push(name);
        }
        None
    }
}

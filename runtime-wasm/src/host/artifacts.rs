//! `attune:automation/artifacts`: files and links the action publishes.
//!
//! Each call is checked against the rules of [`attune_runtime_api::artifact`] at once, so a
//! guest learns from the call's `err` that an artifact was refused (too large, a name taken)
//! and may go on without it. What is accepted stays in the execution's [`HostState`] and
//! reaches the worker with the outcome; the guest's memory limit already bounds what one
//! call can hand over.

use super::HostState;
use crate::bindings::artifacts::Host;

impl Host for HostState {
    fn publish_file(&mut self, name: String, media_type: Option<String>, content: Vec<u8>) -> Result<(), String> {
        self.artifacts.publish_file(&name, media_type.as_deref(), content).map_err(|refused| refused.to_string())
    }

    fn publish_link(&mut self, name: String, url: String) -> Result<(), String> {
        self.artifacts.publish_link(&name, &url).map_err(|refused| refused.to_string())
    }
}

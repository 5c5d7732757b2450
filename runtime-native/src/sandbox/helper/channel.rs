//! What the sandbox's processes tell the helper outside: JSON lines on a pipe that only
//! they hold. The program started in the sandbox never holds it (it is closed on `exec`).

use std::fs::File;
use std::io::{Read, Write};

use serde::{Deserialize, Serialize};

use crate::sandbox::spec::{LandlockReport, LimitReached};

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// Setting up failed: nothing of the program ran.
    SetupError(String),
    /// A probe's Landlock status.
    Landlock(LandlockReport),
    /// What the tree left in its artifacts directory (sent before [`Message::Ended`]).
    Artifacts(crate::artifacts::Collection),
    /// The tree ended.
    Ended(Ending),
}

/// How the tree ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ending {
    /// How its main process ended.
    pub exit: Exit,
    /// The limit that ended it, if one did.
    pub limit: Option<LimitReached>,
    /// Largest memory seen (see `HelperReport`).
    pub peak_memory_bytes: u64,
    /// CPU time of the whole tree.
    pub cpu_ms: u64,
}

/// How a process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// It was killed by this signal.
    Signal(i32),
}

/// The sending end.
pub struct Sender(pub File);

impl Sender {
    /// Sends `message`; a helper that went away cannot be told anything, so errors are
    /// dropped.
    pub fn send(&mut self, message: &Message) {
        let mut line = serde_json::to_vec(message).expect("messages serialize");
        line.push(b'\n');
        let _ = self.0.write_all(&line);
    }
}

/// Every message sent until all senders are gone.
pub fn receive_all(mut receiver: File) -> Vec<Message> {
    let mut text = Vec::new();
    let _ = receiver.read_to_end(&mut text);
    text.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .filter_map(|line| serde_json::from_slice(line).ok())
        .collect()
}

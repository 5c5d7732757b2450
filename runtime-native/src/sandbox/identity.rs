//! Who a confined process runs as.
//!
//! Always in a user namespace of its own, as the sandbox's user (uid and gid 65534,
//! `nobody`, inside). What that user is on the host depends on the server:
//! - a server running as root maps it onto the configured unprivileged user (`run_as`,
//!   default `nobody`), and maps root onto root for the helper's own set-up steps only;
//!   the process drops to the sandbox's user and loses every capability before it starts;
//! - an unprivileged server maps it onto its own user: the only mapping such a server may
//!   make. The process is then the server's user as far as file ownership goes, and the
//!   namespaces and Landlock are what keep it from the server.
//!
//! A namespace per process also makes the process limit count that tree alone: the kernel
//! counts processes per user and namespace.

use nix::unistd::{Uid, User};

use super::spec::{IdRange, IdentityMap};
use crate::sandbox::SandboxError;

/// The sandbox's user and group inside its namespace.
pub const SANDBOX_ID: u32 = 65534;

/// The host user confined processes run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunAs {
    /// The server is root; processes run as this unprivileged user.
    User {
        /// As configured (a name or a number).
        name: String,
        /// Its uid.
        uid: u32,
        /// Its primary gid.
        gid: u32,
    },
    /// The server is unprivileged; processes run as the server's own user.
    ServerUser {
        /// The server's uid.
        uid: u32,
        /// The server's gid.
        gid: u32,
    },
}

impl RunAs {
    /// The user for a server running with effective uid `server_uid` and gid `server_gid`;
    /// `run_as` is the configured user (used only when `server_uid` is 0).
    pub fn resolve(run_as: Option<&str>, server_uid: u32, server_gid: u32) -> Result<Self, SandboxError> {
        if server_uid != 0 {
            return Ok(RunAs::ServerUser { uid: server_uid, gid: server_gid });
        }
        let name = run_as.unwrap_or("nobody");
        let (uid, gid) = lookup(name)?;
        if uid == 0 || gid == 0 {
            return Err(SandboxError::RunAs(format!(
                "runtimes.native.sandbox.run_as is `{name}`, which is root; name an unprivileged user"
            )));
        }
        Ok(RunAs::User { name: name.to_owned(), uid, gid })
    }

    /// The id maps of the process's user namespace.
    pub fn identity_map(&self) -> IdentityMap {
        let range = |inside, outside| IdRange { inside, outside, count: 1 };
        match *self {
            RunAs::User { uid, gid, .. } => IdentityMap {
                uid_map: vec![range(0, 0), range(SANDBOX_ID, uid)],
                gid_map: vec![range(0, 0), range(SANDBOX_ID, gid)],
                deny_setgroups: false,
                clear_groups: true,
                uid: SANDBOX_ID,
                gid: SANDBOX_ID,
            },
            RunAs::ServerUser { uid, gid } => IdentityMap {
                uid_map: vec![range(SANDBOX_ID, uid)],
                gid_map: vec![range(SANDBOX_ID, gid)],
                deny_setgroups: true,
                clear_groups: false,
                uid: SANDBOX_ID,
                gid: SANDBOX_ID,
            },
        }
    }

    /// The host uid and gid of confined processes (owners of what a build writes).
    pub fn host_ids(&self) -> (u32, u32) {
        match *self {
            RunAs::User { uid, gid, .. } | RunAs::ServerUser { uid, gid } => (uid, gid),
        }
    }

    /// For the log and `/health`.
    pub fn describe(&self) -> String {
        match self {
            RunAs::User { name, uid, gid } => format!("user {name} ({uid}:{gid})"),
            RunAs::ServerUser { uid, gid } => format!("the server's user ({uid}:{gid}) in a user namespace"),
        }
    }
}

/// `name` as a user name, a uid, or `uid:gid`.
fn lookup(name: &str) -> Result<(u32, u32), SandboxError> {
    let unknown = |why: String| SandboxError::RunAs(format!("runtimes.native.sandbox.run_as `{name}`: {why}"));
    if let Some((uid, gid)) = name.split_once(':') {
        let number = |text: &str| text.parse::<u32>().map_err(|_| unknown(format!("`{text}` is not a number")));
        return Ok((number(uid)?, number(gid)?));
    }
    let user = match name.parse::<u32>() {
        Ok(uid) => User::from_uid(Uid::from_raw(uid)),
        Err(_) => User::from_name(name),
    };
    match user {
        Ok(Some(user)) => Ok((user.uid.as_raw(), user.gid.as_raw())),
        Ok(None) => match name.parse::<u32>() {
            // A bare uid without an entry in the user database runs with the same gid.
            Ok(uid) => Ok((uid, uid)),
            Err(_) => Err(unknown("no such user".into())),
        },
        Err(errno) => Err(unknown(format!("cannot read the user database: {errno}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unprivileged_server_maps_the_sandbox_user_onto_itself() {
        let run_as = RunAs::resolve(Some("ignored"), 1000, 1001).unwrap();
        assert_eq!(run_as, RunAs::ServerUser { uid: 1000, gid: 1001 });
        let map = run_as.identity_map();
        assert_eq!(map.uid_map, [IdRange { inside: SANDBOX_ID, outside: 1000, count: 1 }]);
        assert_eq!(map.gid_map, [IdRange { inside: SANDBOX_ID, outside: 1001, count: 1 }]);
        assert!(map.deny_setgroups && !map.clear_groups);
    }

    #[test]
    fn a_root_server_runs_processes_as_the_configured_user() {
        let run_as = RunAs::resolve(Some("4242:4343"), 0, 0).unwrap();
        assert_eq!(run_as.host_ids(), (4242, 4343));
        let map = run_as.identity_map();
        assert_eq!(map.uid_map[1], IdRange { inside: SANDBOX_ID, outside: 4242, count: 1 });
        assert!(map.clear_groups && !map.deny_setgroups);
        assert_eq!((map.uid, map.gid), (SANDBOX_ID, SANDBOX_ID));

        let nobody = RunAs::resolve(None, 0, 0).unwrap();
        assert!(matches!(nobody, RunAs::User { ref name, .. } if name == "nobody"), "{nobody:?}");
    }

    #[test]
    fn root_and_unknown_users_are_refused() {
        for bad in ["root", "0", "0:0", "1000:0", "no-such-user-here", "12:x"] {
            let error = RunAs::resolve(Some(bad), 0, 0).unwrap_err().to_string();
            assert!(error.contains(&format!("`{bad}`")), "{bad}: {error}");
        }
    }
}

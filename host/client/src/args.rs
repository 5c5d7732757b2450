//! The client's commands and flags. The `attune` binary flattens [`ClientCommand`] into its
//! own subcommands and [`Global`] into its top-level flags.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Flags every client command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct Global {
    /// The profile to use (default: the profile file's `current`, else `default`).
    #[arg(long, global = true, env = "ATTUNE_PROFILE")]
    pub profile: Option<String>,
    /// The server's URL (overrides the profile's).
    #[arg(long, global = true, env = "ATTUNE_URL")]
    pub url: Option<String>,
    /// An access token to use instead of the profile's credential.
    #[arg(long, global = true, env = "ATTUNE_TOKEN", hide_env_values = true, hide = true)]
    pub token: Option<String>,
    /// An API key to use instead of the profile's credential.
    #[arg(long = "with-api-key", global = true, env = "ATTUNE_API_KEY", hide_env_values = true, hide = true)]
    pub api_key: Option<String>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Client commands (SPEC §14).
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Log in to a server and keep the credential in the profile.
    Login(LoginArgs),
    /// Forget the profile's credential.
    Logout,
    /// Packs: list, show, remove; init, build, publish, install, versions.
    #[command(subcommand)]
    Pack(PackCommand),
    /// Actions: list, show, run.
    #[command(subcommand)]
    Action(ActionCommand),
    /// Executions: list, show, tail, cancel, re-run.
    #[command(subcommand)]
    Execution(ExecutionCommand),
    /// Rules: list, show, create, enable, disable, delete.
    #[command(subcommand)]
    Rule(RuleCommand),
    /// Triggers.
    #[command(subcommand)]
    Trigger(ListOnly),
    /// Webhooks: list, create, delete.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Datastore keys: list, get, set, delete.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Inquiries (questions a workflow or action asks): list, respond.
    #[command(subcommand)]
    Inquiry(InquiryCommand),
    /// Workflows: show a workflow execution's task graph with its states.
    #[command(subcommand)]
    Workflow(WorkflowCommand),
}

/// `attune login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The login (default: admin).
    #[arg(long, short = 'u', default_value = "admin")]
    pub login: String,
    /// Read the password from standard input instead of prompting.
    #[arg(long, conflicts_with = "api_key")]
    pub password_stdin: bool,
    /// Keep this API key in the profile instead of logging in with a password.
    #[arg(long)]
    pub api_key: Option<String>,
}

/// `attune pack ...`.
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// List installed packs.
    List(Page),
    /// Show a pack.
    Show {
        /// The pack's ref.
        pack: String,
    },
    /// Remove a pack and its components (their history stays).
    Remove {
        /// The pack's ref.
        pack: String,
    },
    /// Write a new pack with one `hello` action, ready to build, publish and run.
    Init {
        /// The pack's name (its ref): a directory of that name is made.
        name: String,
        /// The kind of action.
        #[arg(long, short = 't', value_enum, default_value = "shell")]
        template: crate::Template,
        /// Where to make it (default: the current directory).
        #[arg(long, default_value = ".")]
        dir: PathBuf,
    },
    /// Validate a pack offline and write its reproducible archive (`dist/<ref>-<version>.tar.gz`).
    Build {
        /// The pack directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the archive (default: `<dir>/dist`).
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
        /// Archive WASM entry points as they are, not built into components (the runtime
        /// builds them on first use; Python needs componentize-py wherever it runs).
        #[arg(long)]
        no_compile: bool,
    },
    /// Install a pack on the server — or push it to an OCI registry with `--to`: a pack
    /// directory (built first) or an archive.
    Publish {
        /// The pack directory or archive.
        #[arg(default_value = ".")]
        source: PathBuf,
        /// Push to this OCI registry reference instead (`oci://host/repository:tag`).
        #[arg(long)]
        to: Option<String>,
    },
    /// Install an archive file, an OCI reference (`oci://host/repository:tag`), or
    /// `REF@VERSION` kept on the server (a roll back or forward).
    Install {
        /// An archive file, `oci://...` or `REF@VERSION`.
        source: String,
    },
    /// The versions of a pack kept on the server, the installed one marked.
    Versions {
        /// The pack's ref.
        pack: String,
    },
}

/// Paging of list commands.
#[derive(Debug, Clone, Args)]
pub struct Page {
    /// Rows to show (at most 1000).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Only those of this pack.
    #[arg(long)]
    pub pack: Option<String>,
}

/// `attune action ...`.
#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// List actions.
    List(Page),
    /// Show an action with its parameters.
    Show {
        /// The action's ref.
        action: String,
    },
    /// Run an action: wait for it, streaming its output, and print its result.
    Run(RunArgs),
}

/// `attune action run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The action's ref.
    pub action: String,
    /// Parameters as `name=value`, typed by the action's schema; `name=@file` reads the value
    /// from a file; arrays and objects are given as JSON.
    pub parameters: Vec<String>,
    /// Print the execution's id and return at once instead of waiting.
    #[arg(long = "async")]
    pub no_wait: bool,
}

/// `attune execution ...`.
#[derive(Debug, Subcommand)]
pub enum ExecutionCommand {
    /// List executions, newest first.
    List(ExecutionFilter),
    /// Show an execution.
    Show {
        /// The execution's id.
        id: i64,
    },
    /// Follow an execution's output until it ends; exits with its outcome's code.
    Tail {
        /// The execution's id.
        id: i64,
    },
    /// Cancel an execution (a workflow's tasks too).
    Cancel {
        /// The execution's id.
        id: i64,
    },
    /// Run an execution's action again, with some parameters changed.
    Rerun {
        /// The execution's id.
        id: i64,
        /// Parameters to change, as `name=value`.
        parameters: Vec<String>,
        /// For a workflow that ended: the task to start from (published variables are kept).
        #[arg(long)]
        task: Option<String>,
        /// Print the new execution's id and return at once instead of waiting.
        #[arg(long = "async")]
        no_wait: bool,
    },
}

/// Filters of `execution list`.
#[derive(Debug, Args)]
pub struct ExecutionFilter {
    /// Only executions in this status.
    #[arg(long)]
    pub status: Option<String>,
    /// Only executions of this action.
    #[arg(long)]
    pub action: Option<String>,
    /// Only children of this execution (a workflow's task runs).
    #[arg(long)]
    pub parent: Option<i64>,
    /// Rows to show (at most 1000).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

/// `attune rule ...`.
#[derive(Debug, Subcommand)]
pub enum RuleCommand {
    /// List rules.
    List(Page),
    /// Show a rule.
    Show {
        /// The rule's ref.
        rule: String,
    },
    /// Create a rule from a YAML or JSON file (`ref`, `trigger`, `action`, `criteria`, ...).
    Create {
        /// The file.
        file: PathBuf,
    },
    /// Enable a rule.
    Enable {
        /// The rule's ref.
        rule: String,
    },
    /// Disable a rule.
    Disable {
        /// The rule's ref.
        rule: String,
    },
    /// Delete a rule.
    Delete {
        /// The rule's ref.
        rule: String,
    },
}

/// A noun that only lists.
#[derive(Debug, Subcommand)]
pub enum ListOnly {
    /// List them.
    List(Page),
}

/// `attune webhook ...`.
#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// List webhooks.
    List(Page),
    /// Create a webhook (posts to /api/v1/webhooks/NAME then fire core.webhook).
    Create {
        /// Its name.
        name: String,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// Read an HMAC secret from standard input: posts must then be signed with it.
        #[arg(long)]
        secret_stdin: bool,
    },
    /// Delete a webhook.
    Delete {
        /// Its name.
        name: String,
    },
}

/// Which key: its scope and owner.
#[derive(Debug, Clone, Args)]
pub struct KeyScope {
    /// system, identity, pack, action or sensor (default: system; list: the caller's own).
    #[arg(long)]
    pub scope: Option<String>,
    /// The owner's login or ref.
    #[arg(long)]
    pub owner: Option<String>,
}

/// `attune key ...`.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// List keys (values of encrypted keys are not shown).
    List {
        /// Whose keys.
        #[command(flatten)]
        scope: KeyScope,
        /// Only names starting with this.
        #[arg(long)]
        prefix: Option<String>,
        /// Rows to show (at most 1000).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Print a key's value.
    Get {
        /// The key's name.
        name: String,
        /// Whose key.
        #[command(flatten)]
        scope: KeyScope,
        /// Show an encrypted value in clear (needs the grant).
        #[arg(long)]
        decrypt: bool,
    },
    /// Set a key.
    Set {
        /// The key's name.
        name: String,
        /// The value; `-` reads it from standard input.
        value: String,
        /// Whose key.
        #[command(flatten)]
        scope: KeyScope,
        /// Store it encrypted (a secret).
        #[arg(long)]
        encrypted: bool,
        /// Seconds until it expires.
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Delete a key.
    Delete {
        /// The key's name.
        name: String,
        /// Whose key.
        #[command(flatten)]
        scope: KeyScope,
    },
}

/// `attune inquiry ...`.
#[derive(Debug, Subcommand)]
pub enum InquiryCommand {
    /// List inquiries.
    List {
        /// Only those in this status (pending, responded, timeout, withdrawn).
        #[arg(long)]
        status: Option<String>,
        /// Rows to show (at most 1000).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Answer an inquiry: `name=value` fields typed by its schema, or `--response JSON`.
    Respond {
        /// The inquiry's id.
        id: i64,
        /// Fields of the answer, as `name=value`.
        fields: Vec<String>,
        /// The whole answer as a JSON object.
        #[arg(long, conflicts_with = "fields")]
        response: Option<String>,
    },
}

/// `attune workflow ...`.
#[derive(Debug, Subcommand)]
pub enum WorkflowCommand {
    /// Show a workflow execution: its tasks with their states, edges and variables.
    Show {
        /// The workflow execution's id.
        id: i64,
    },
}

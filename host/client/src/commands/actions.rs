//! `attune action list|show|run`.

use serde_json::{Value, json};

use crate::api::{Api, segment};
use crate::args::{ActionCommand, Global, RunArgs};
use crate::commands::{executions, resources::page_query};
use crate::failure::Failure;
use crate::output::{self, col};
use crate::params;

/// `attune action ...`.
pub async fn run(api: &mut Api, global: &Global, command: ActionCommand) -> Result<(), Failure> {
    match command {
        ActionCommand::List(page) => {
            let columns = [col("REF", "/ref"), col("RUNNER", "/runner_type"), col("DESCRIPTION", "/description")];
            let answer = api.get("/api/v1/actions", &page_query(page.limit, page.pack.as_ref())).await?;
            output::list(&answer, &columns, global.json);
            Ok(())
        }
        ActionCommand::Show { action } => {
            let answer = api.get(&format!("/api/v1/actions/{}", segment(&action)), &[]).await?;
            output::show(&answer["data"], global.json);
            Ok(())
        }
        ActionCommand::Run(args) => execute(api, global, args).await,
    }
}

/// Requests an execution with the parameters typed by the action's schema, then (unless
/// `--async`) follows it to its end.
async fn execute(api: &mut Api, global: &Global, args: RunArgs) -> Result<(), Failure> {
    let path = format!("/api/v1/actions/{}", segment(&args.action));
    let action = api.get(&path, &[]).await?;
    let parameters = params::parse(&args.parameters, &action["data"]["param_schema"])?;
    let created = api.post(&format!("{path}/execute"), &json!({"parameters": Value::Object(parameters)})).await?;
    let id = created["data"]["id"]
        .as_i64()
        .ok_or_else(|| Failure::Local(format!("{}: the answer holds no execution id", api.url())))?;
    if args.no_wait {
        if global.json {
            output::show(&created["data"], true);
        } else {
            println!("{id}");
        }
        return Ok(());
    }
    executions::wait(api, global, id).await
}

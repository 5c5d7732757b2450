//! Node.js actions: the pack's `node_modules` (from its `package.json`) on `NODE_PATH`.
//!
//! `NODE_PATH` is honoured by `require()`; ES module `import` does not consult it, so
//! actions that use dependencies load them with `require` (or `createRequire`).

use async_trait::async_trait;

use super::{Launch, ScriptLanguage, ScriptTarget};
use crate::environment::NodeModules;
use crate::error::SetupError;
use crate::toolchain::{SetupIo, Toolchain};

/// `runner_type: node`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Node;

#[async_trait]
impl ScriptLanguage for Node {
    fn runner_type(&self) -> &'static str {
        "node"
    }

    async fn prepare(
        &self,
        toolchain: &Toolchain,
        target: &ScriptTarget<'_>,
        io: &SetupIo,
    ) -> Result<Launch, SetupError> {
        let recipe = NodeModules { node: toolchain.node().await? };
        let environment = toolchain.environment(&recipe, target, io).await?;
        let mut visible = Toolchain::installations(&recipe.node);
        let (path_prefix, env) = match environment {
            Some(dir) => {
                let modules = NodeModules::modules(&dir);
                visible.push(dir);
                (vec![modules.join(".bin")], vec![("NODE_PATH".into(), modules.into_os_string())])
            }
            None => (Vec::new(), Vec::new()),
        };
        Ok(Launch { program: recipe.node, args: vec![target.entry_point.into()], path_prefix, env, visible })
    }
}

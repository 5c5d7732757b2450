//! SQL for [`crate::PackStore`]: registration of whole packs and reads of their components.

/// Implements [`crate::PackStore`] for a backend.
macro_rules! impl_pack_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::PackStore for $store {
            async fn register_pack(
                &self,
                bundle: &attune_domain::pack::PackBundle,
            ) -> $crate::StoreResult<attune_domain::pack::RegistrationSummary> {
                let changing = self.changing();
                use std::collections::HashSet;
                use attune_domain::pack::Pack;
                use attune_domain::Id;
                use $crate::StoreError;

                let def = bundle
                    .pack
                    .as_ref()
                    .ok_or_else(|| StoreError::Conflict("a pack bundle needs its pack".into()))?;
                let now = $crate::sql::now();
                let mut tx = self.write_pool(&changing).begin().await?;

                // Configuration set by operators survives re-registration; pack.yaml's values
                // only fill keys the stored configuration does not have.
                let stored_config: Option<serde_json::Value> =
                    sqlx::query_scalar("SELECT config FROM pack WHERE ref = $1")
                        .bind(&def.r#ref)
                        .fetch_optional(&mut *tx)
                        .await?;
                let mut config = def.config.clone();
                if let (Some(serde_json::Value::Object(stored)), serde_json::Value::Object(merged)) =
                    (stored_config, &mut config)
                {
                    merged.extend(stored);
                }

                if let Some(archive) = &bundle.archive {
                    sqlx::query(
                        "INSERT INTO pack_archive (pack_ref, version, digest, size, manifest, content, installed_by, \
                         created) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                    )
                    .bind(&def.r#ref)
                    .bind(&def.version)
                    .bind(&archive.digest)
                    .bind(archive.content.len() as i64)
                    .bind(&archive.manifest)
                    .bind(&archive.content)
                    .bind(&archive.installed_by)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    let kept: Option<String> =
                        sqlx::query_scalar("SELECT digest FROM pack_archive WHERE pack_ref = $1 AND version = $2")
                            .bind(&def.r#ref)
                            .bind(&def.version)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if kept.as_deref() != Some(archive.digest.as_str()) {
                        return Err(StoreError::Conflict(format!(
                            "version {} of pack '{}' is installed already from another archive; \
                             give this one another version",
                            def.version, def.r#ref
                        )));
                    }
                }

                let pack: Pack = sqlx::query_as(
                    "INSERT INTO pack (ref, label, description, version, author, config_schema, config, \
                     runtime_deps, tags, is_standard, path, archive_digest, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $12, $12) \
                     ON CONFLICT (ref) DO UPDATE SET label = excluded.label, \
                     description = excluded.description, version = excluded.version, \
                     author = excluded.author, config_schema = excluded.config_schema, \
                     config = excluded.config, runtime_deps = excluded.runtime_deps, \
                     tags = excluded.tags, is_standard = excluded.is_standard, path = excluded.path, \
                     archive_digest = excluded.archive_digest, updated = excluded.updated RETURNING *",
                )
                .bind(&def.r#ref)
                .bind(&def.label)
                .bind(&def.description)
                .bind(&def.version)
                .bind(&def.author)
                .bind(&def.config_schema)
                .bind(&config)
                .bind(sqlx::types::Json(&def.runtime_deps))
                .bind(sqlx::types::Json(&def.tags))
                .bind(def.is_standard)
                .bind(&def.path)
                .bind(now)
                .bind(bundle.archive.as_ref().map(|a| &a.digest))
                .fetch_one(&mut *tx)
                .await?;

                let mut summary = attune_domain::pack::RegistrationSummary { pack_id: pack.id, ..Default::default() };

                // Refs each table holds for this pack before the registration.
                macro_rules! existing_refs {
                    ($table:literal) => {
                        sqlx::query_scalar::<_, String>(concat!("SELECT ref FROM ", $table, " WHERE pack = $1"))
                            .bind(pack.id)
                            .fetch_all(&mut *tx)
                            .await?
                            .into_iter()
                            .collect::<HashSet<String>>()
                    };
                }
                // Counts a declared component as created or updated.
                macro_rules! count {
                    ($existing:expr, $ref:expr) => {
                        if $existing.contains($ref.as_str()) { summary.updated += 1 } else { summary.created += 1 }
                    };
                }
                // Deletes the components of a table the pack no longer declares.
                macro_rules! delete_stale {
                    ($table:literal, $existing:expr, $declared:expr) => {{
                        let declared: HashSet<&str> = $declared.map(|r: &String| r.as_str()).collect();
                        for stale in $existing.iter().filter(|r| !declared.contains(r.as_str())) {
                            sqlx::query(concat!("DELETE FROM ", $table, " WHERE ref = $1"))
                                .bind(stale)
                                .execute(&mut *tx)
                                .await?;
                            summary.deleted += 1;
                        }
                    }};
                }
                // Every upsert below updates an existing row only when this pack owns it
                // (`WHERE <table>.pack = excluded.pack`); a ref held by another pack, or by no
                // pack (a standalone permission set), leaves the row alone and fails the whole
                // registration instead of quietly taking the component over.
                macro_rules! claimed {
                    ($done:expr, $kind:literal, $ref:expr) => {
                        if $done.rows_affected() == 0 {
                            return Err(StoreError::Conflict(format!(
                                "{} '{}' belongs to another pack than '{}'", $kind, $ref, pack.r#ref
                            )));
                        }
                    };
                }
                // Looks up the id of a component by ref, inside the transaction.
                macro_rules! id_of {
                    ($table:literal, $ref:expr, $what:expr) => {
                        sqlx::query_scalar::<_, Id>(concat!("SELECT id FROM ", $table, " WHERE ref = $1"))
                            .bind($ref)
                            .fetch_optional(&mut *tx)
                            .await?
                            .ok_or_else(|| StoreError::UnknownReference($what))?
                    };
                }

                let existing = existing_refs!("trigger");
                for t in &bundle.triggers {
                    count!(existing, t.r#ref);
                    let done = sqlx::query(
                        "INSERT INTO trigger (ref, pack, pack_ref, label, description, enabled, param_schema, \
                         payload_schema, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                         ON CONFLICT (ref) DO UPDATE SET label = excluded.label, description = excluded.description, \
                         enabled = excluded.enabled, param_schema = excluded.param_schema, \
                         payload_schema = excluded.payload_schema, updated = excluded.updated \
                         WHERE trigger.pack = excluded.pack",
                    )
                    .bind(&t.r#ref).bind(pack.id).bind(&pack.r#ref).bind(&t.label).bind(&t.description)
                    .bind(t.enabled).bind(&t.param_schema).bind(&t.payload_schema).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "trigger", t.r#ref);
                }
                let stale_triggers = existing;

                let existing = existing_refs!("workflow_definition");
                for w in &bundle.workflows {
                    count!(existing, w.r#ref);
                    let done = sqlx::query(
                        "INSERT INTO workflow_definition (ref, pack, pack_ref, label, description, version, \
                         param_schema, output_schema, definition, tags, enabled, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
                         ON CONFLICT (ref) DO UPDATE SET label = excluded.label, description = excluded.description, \
                         version = excluded.version, param_schema = excluded.param_schema, \
                         output_schema = excluded.output_schema, definition = excluded.definition, \
                         tags = excluded.tags, enabled = excluded.enabled, updated = excluded.updated \
                         WHERE workflow_definition.pack = excluded.pack",
                    )
                    .bind(&w.r#ref).bind(pack.id).bind(&pack.r#ref).bind(&w.label).bind(&w.description)
                    .bind(&w.version).bind(&w.param_schema).bind(&w.output_schema).bind(&w.definition)
                    .bind(sqlx::types::Json(&w.tags)).bind(w.enabled).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "workflow", w.r#ref);
                }
                let stale_workflows = existing;

                let existing = existing_refs!("action");
                for a in &bundle.actions {
                    count!(existing, a.r#ref);
                    let workflow_def: Option<Id> = if a.runner_type == attune_domain::status::RunnerType::Workflow {
                        Some(id_of!("workflow_definition", &a.r#ref,
                            format!("action '{}': no workflow definition with that ref", a.r#ref)))
                    } else {
                        None
                    };
                    let done = sqlx::query(
                        "INSERT INTO action (ref, pack, pack_ref, label, description, runner_type, entry_point, \
                         param_schema, output_schema, output_format, timeout_s, limits, secrets, allowed_hosts, \
                         idempotent, workflow_def, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
                         ON CONFLICT (ref) DO UPDATE SET label = excluded.label, description = excluded.description, \
                         runner_type = excluded.runner_type, entry_point = excluded.entry_point, \
                         param_schema = excluded.param_schema, output_schema = excluded.output_schema, \
                         output_format = excluded.output_format, timeout_s = excluded.timeout_s, \
                         limits = excluded.limits, secrets = excluded.secrets, \
                         allowed_hosts = excluded.allowed_hosts, idempotent = excluded.idempotent, \
                         workflow_def = excluded.workflow_def, updated = excluded.updated \
                         WHERE action.pack = excluded.pack",
                    )
                    .bind(&a.r#ref).bind(pack.id).bind(&pack.r#ref).bind(&a.label).bind(&a.description)
                    .bind(a.runner_type).bind(&a.entry_point).bind(&a.param_schema).bind(&a.output_schema)
                    .bind(a.output_format).bind(a.timeout_s).bind(&a.limits)
                    .bind(sqlx::types::Json(&a.secrets)).bind(sqlx::types::Json(&a.allowed_hosts))
                    .bind(a.idempotent).bind(workflow_def).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "action", a.r#ref);
                }
                let stale_actions = existing;

                let existing = existing_refs!("sensor");
                for s in &bundle.sensors {
                    count!(existing, s.r#ref);
                    let done = sqlx::query(
                        "INSERT INTO sensor (ref, pack, pack_ref, label, description, runner_type, entry_point, \
                         trigger_types, param_schema, config, poll_interval_s, enabled, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                         ON CONFLICT (ref) DO UPDATE SET label = excluded.label, description = excluded.description, \
                         runner_type = excluded.runner_type, entry_point = excluded.entry_point, \
                         trigger_types = excluded.trigger_types, param_schema = excluded.param_schema, \
                         config = excluded.config, poll_interval_s = excluded.poll_interval_s, \
                         enabled = excluded.enabled, updated = excluded.updated \
                         WHERE sensor.pack = excluded.pack",
                    )
                    .bind(&s.r#ref).bind(pack.id).bind(&pack.r#ref).bind(&s.label).bind(&s.description)
                    .bind(s.runner_type).bind(&s.entry_point).bind(sqlx::types::Json(&s.trigger_types))
                    .bind(&s.param_schema).bind(&s.config).bind(s.poll_interval_s).bind(s.enabled).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "sensor", s.r#ref);
                }
                let stale_sensors = existing;

                // Rules made through the API are not the files' to delete or count.
                let existing: HashSet<String> =
                    sqlx::query_scalar::<_, String>("SELECT ref FROM rule WHERE pack = $1 AND from_pack")
                        .bind(pack.id)
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .collect();
                for r in &bundle.rules {
                    count!(existing, r.r#ref);
                    let trigger = id_of!("trigger", &r.trigger_ref,
                        format!("rule '{}': trigger '{}' does not exist", r.r#ref, r.trigger_ref));
                    let action = id_of!("action", &r.action_ref,
                        format!("rule '{}': action '{}' does not exist", r.r#ref, r.action_ref));
                    let done = sqlx::query(
                        "INSERT INTO rule (ref, pack, pack_ref, label, description, trigger, trigger_ref, \
                         trigger_params, criteria, action, action_ref, action_params, enabled, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) \
                         ON CONFLICT (ref) DO UPDATE SET label = excluded.label, description = excluded.description, \
                         trigger = excluded.trigger, trigger_ref = excluded.trigger_ref, \
                         trigger_params = excluded.trigger_params, criteria = excluded.criteria, \
                         action = excluded.action, action_ref = excluded.action_ref, \
                         action_params = excluded.action_params, enabled = excluded.enabled, \
                         from_pack = TRUE, updated_by = NULL, updated = excluded.updated \
                         WHERE rule.pack = excluded.pack",
                    )
                    .bind(&r.r#ref).bind(pack.id).bind(&pack.r#ref).bind(&r.label).bind(&r.description)
                    .bind(trigger).bind(&r.trigger_ref).bind(&r.trigger_params).bind(&r.criteria)
                    .bind(action).bind(&r.action_ref).bind(&r.action_params).bind(r.enabled).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "rule", r.r#ref);
                }
                let stale_rules = existing;

                // Policies made through the API are not the files' to delete or count.
                let existing: HashSet<String> =
                    sqlx::query_scalar::<_, String>("SELECT ref FROM policy WHERE pack = $1 AND from_pack")
                        .bind(pack.id)
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .collect();
                for p in &bundle.policies {
                    count!(existing, p.r#ref);
                    let action = id_of!("action", &p.action_ref,
                        format!("policy '{}': action '{}' does not exist", p.r#ref, p.action_ref));
                    let done = sqlx::query(
                        "INSERT INTO policy (ref, pack, pack_ref, action, action_ref, policy_type, method, \
                         threshold, parameters, settings, enabled, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
                         ON CONFLICT (ref) DO UPDATE SET action = excluded.action, \
                         action_ref = excluded.action_ref, policy_type = excluded.policy_type, \
                         method = excluded.method, threshold = excluded.threshold, \
                         parameters = excluded.parameters, settings = excluded.settings, \
                         enabled = excluded.enabled, from_pack = TRUE, updated = excluded.updated \
                         WHERE policy.pack = excluded.pack",
                    )
                    .bind(&p.r#ref).bind(pack.id).bind(&pack.r#ref).bind(action).bind(&p.action_ref)
                    .bind(p.policy_type).bind(p.method).bind(p.threshold)
                    .bind(sqlx::types::Json(&p.parameters)).bind(&p.settings).bind(p.enabled).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "policy", p.r#ref);
                }
                let stale_policies = existing;

                let existing = existing_refs!("permission_set");
                for s in &bundle.permission_sets {
                    count!(existing, s.r#ref);
                    let done = sqlx::query(
                        "INSERT INTO permission_set (ref, pack, pack_ref, label, description, grants, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
                         ON CONFLICT (ref) DO UPDATE SET label = excluded.label, description = excluded.description, \
                         grants = excluded.grants, updated = excluded.updated \
                         WHERE permission_set.pack = excluded.pack",
                    )
                    .bind(&s.r#ref).bind(pack.id).bind(&pack.r#ref).bind(&s.label).bind(&s.description)
                    .bind(sqlx::types::Json(&s.grants)).bind(now)
                    .execute(&mut *tx).await?;
                    claimed!(done, "permission set", s.r#ref);
                }
                let stale_permission_sets = existing;

                delete_stale!("rule", stale_rules, bundle.rules.iter().map(|c| &c.r#ref));
                delete_stale!("policy", stale_policies, bundle.policies.iter().map(|c| &c.r#ref));
                delete_stale!("permission_set", stale_permission_sets, bundle.permission_sets.iter().map(|c| &c.r#ref));
                delete_stale!("sensor", stale_sensors, bundle.sensors.iter().map(|c| &c.r#ref));
                delete_stale!("action", stale_actions, bundle.actions.iter().map(|c| &c.r#ref));
                delete_stale!("workflow_definition", stale_workflows, bundle.workflows.iter().map(|c| &c.r#ref));
                delete_stale!("trigger", stale_triggers, bundle.triggers.iter().map(|c| &c.r#ref));

                tx.commit().await?;
                Ok(summary)
            }

            async fn list_pack_versions(
                &self,
                pack_ref: &str,
            ) -> $crate::StoreResult<Vec<attune_domain::pack::PackVersion>> {
                Ok(sqlx::query_as(
                    "SELECT id, pack_ref, version, digest, size, manifest, installed_by, created FROM pack_archive \
                     WHERE pack_ref = $1 ORDER BY id DESC",
                )
                .bind(pack_ref)
                .fetch_all(self.read_pool())
                .await?)
            }

            async fn get_pack_version(
                &self,
                pack_ref: &str,
                version: &str,
            ) -> $crate::StoreResult<(attune_domain::pack::PackVersion, Vec<u8>)> {
                let version_row: attune_domain::pack::PackVersion = sqlx::query_as(
                    "SELECT id, pack_ref, version, digest, size, manifest, installed_by, created FROM pack_archive \
                     WHERE pack_ref = $1 AND version = $2",
                )
                .bind(pack_ref)
                .bind(version)
                .fetch_optional(self.read_pool())
                .await?
                .ok_or_else(|| $crate::StoreError::not_found("pack version", format!("{pack_ref} {version}")))?;
                let content = self.get_pack_archive(&version_row.digest).await?;
                Ok((version_row, content))
            }

            async fn get_pack_archive(&self, digest: &str) -> $crate::StoreResult<Vec<u8>> {
                sqlx::query_scalar("SELECT content FROM pack_archive WHERE digest = $1")
                    .bind(digest)
                    .fetch_optional(self.read_pool())
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("pack archive", digest))
            }

            async fn get_pack(&self, pack_ref: &str) -> $crate::StoreResult<attune_domain::pack::Pack> {
                $crate::sql::memoized!(self, packs, pack_ref.to_owned(), $crate::sql::fetch_one_by!(
                    self.read_pool(), attune_domain::pack::Pack,
                    "SELECT * FROM pack WHERE ref = $1", "pack", pack_ref.to_owned()))
            }

            async fn get_pack_by_id(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::pack::Pack> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::pack::Pack,
                    "SELECT * FROM pack WHERE id = $1", "pack", id)
            }

            async fn list_packs(
                &self,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::pack::Pack>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::pack::Pack, "pack", "ref", page, |qb| {}))
            }

            async fn set_pack_config(
                &self,
                pack_ref: &str,
                config: &attune_domain::Json,
            ) -> $crate::StoreResult<attune_domain::pack::Pack> {
                let changing = self.changing();
                sqlx::query_as("UPDATE pack SET config = $1, updated = $2 WHERE ref = $3 RETURNING *")
                    .bind(config)
                    .bind($crate::sql::now())
                    .bind(pack_ref)
                    .fetch_optional(self.write_pool(&changing))
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("pack", pack_ref))
            }

            async fn delete_pack(&self, pack_ref: &str) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM pack WHERE ref = $1", "pack", pack_ref.to_owned())
            }

            async fn get_action(&self, action_ref: &str) -> $crate::StoreResult<attune_domain::action::Action> {
                $crate::sql::memoized!(self, actions, action_ref.to_owned(), $crate::sql::fetch_one_by!(
                    self.read_pool(), attune_domain::action::Action,
                    "SELECT * FROM action WHERE ref = $1", "action", action_ref.to_owned()))
            }

            async fn get_action_by_id(&self, id: attune_domain::Id) -> $crate::StoreResult<attune_domain::action::Action> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::action::Action,
                    "SELECT * FROM action WHERE id = $1", "action", id)
            }

            async fn list_actions(
                &self,
                filter: &$crate::ComponentFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::action::Action>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::action::Action, "action", "ref", page, |qb| {
                    if let Some(pack) = &filter.pack { qb.push(" AND pack_ref = ").push_bind(pack.clone()); }
                }))
            }

            async fn get_trigger(&self, trigger_ref: &str) -> $crate::StoreResult<attune_domain::trigger::Trigger> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::trigger::Trigger,
                    "SELECT * FROM trigger WHERE ref = $1", "trigger", trigger_ref.to_owned())
            }

            async fn list_triggers(
                &self,
                filter: &$crate::ComponentFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::trigger::Trigger>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::trigger::Trigger, "trigger", "ref", page, |qb| {
                    if let Some(pack) = &filter.pack { qb.push(" AND pack_ref = ").push_bind(pack.clone()); }
                }))
            }

            async fn get_sensor(&self, sensor_ref: &str) -> $crate::StoreResult<attune_domain::trigger::Sensor> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::trigger::Sensor,
                    "SELECT * FROM sensor WHERE ref = $1", "sensor", sensor_ref.to_owned())
            }

            async fn set_sensor_status(
                &self,
                sensor_ref: &str,
                status: attune_domain::status::SensorStatus,
                detail: Option<&str>,
            ) -> $crate::StoreResult<()> {
                let changing = self.changing();
                let done = sqlx::query("UPDATE sensor SET status = $1, status_detail = $2, status_updated = $3 WHERE ref = $4")
                    .bind(status)
                    .bind(detail)
                    .bind($crate::sql::now())
                    .bind(sensor_ref)
                    .execute(self.write_pool(&changing))
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::not_found("sensor", sensor_ref));
                }
                Ok(())
            }

            async fn list_sensors(
                &self,
                filter: &$crate::ComponentFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::trigger::Sensor>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::trigger::Sensor, "sensor", "ref", page, |qb| {
                    if let Some(pack) = &filter.pack { qb.push(" AND pack_ref = ").push_bind(pack.clone()); }
                }))
            }

            async fn get_rule(&self, rule_ref: &str) -> $crate::StoreResult<attune_domain::rule::Rule> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::rule::Rule,
                    "SELECT * FROM rule WHERE ref = $1", "rule", rule_ref.to_owned())
            }

            async fn list_rules(
                &self,
                filter: &$crate::RuleFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::rule::Rule>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::rule::Rule, "rule", "ref", page, |qb| {
                    if let Some(pack) = &filter.pack { qb.push(" AND pack_ref = ").push_bind(pack.clone()); }
                    if let Some(t) = &filter.trigger_ref { qb.push(" AND trigger_ref = ").push_bind(t.clone()); }
                    if let Some(a) = &filter.action_ref { qb.push(" AND action_ref = ").push_bind(a.clone()); }
                    if let Some(e) = filter.enabled { qb.push(" AND enabled = ").push_bind(e); }
                }))
            }

            async fn rules_on_trigger(&self, trigger_ref: &str) -> $crate::StoreResult<Vec<attune_domain::rule::Rule>> {
                $crate::sql::memoized!(self, rules_on_trigger, trigger_ref.to_owned(), Ok(sqlx::query_as(
                    "SELECT * FROM rule WHERE trigger_ref = $1 ORDER BY ref",
                )
                .bind(trigger_ref)
                .fetch_all(self.read_pool())
                .await?))
            }

            async fn create_rule(&self, rule: &attune_domain::rule::NewRule) -> $crate::StoreResult<attune_domain::rule::Rule> {
                let changing = self.changing();
                use $crate::StoreError;
                let pack_ref = rule.r#ref.split_once('.').map(|(p, _)| p).unwrap_or_default();
                let mut tx = self.write_pool(&changing).begin().await?;
                let pack: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM pack WHERE ref = $1")
                    .bind(pack_ref).fetch_optional(&mut *tx).await?;
                let pack = pack.ok_or_else(|| StoreError::UnknownReference(format!("pack '{pack_ref}' does not exist")))?;
                let (trigger, action) = rule_targets(&mut tx, rule).await?;
                let now = $crate::sql::now();
                let created = sqlx::query_as(
                    "INSERT INTO rule (ref, pack, pack_ref, label, description, trigger, trigger_ref, trigger_params, \
                     criteria, action, action_ref, action_params, enabled, from_pack, created_by, updated_by, \
                     created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, FALSE, $15, $15, $14, $14) \
                     RETURNING *",
                )
                .bind(&rule.r#ref).bind(pack).bind(pack_ref).bind(&rule.label).bind(&rule.description)
                .bind(trigger).bind(&rule.trigger_ref).bind(&rule.trigger_params).bind(&rule.criteria)
                .bind(action).bind(&rule.action_ref).bind(&rule.action_params).bind(rule.enabled).bind(now)
                .bind(rule.author)
                .fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(created)
            }

            async fn update_rule(
                &self,
                rule_ref: &str,
                rule: &attune_domain::rule::NewRule,
            ) -> $crate::StoreResult<attune_domain::rule::Rule> {
                let changing = self.changing();
                let mut tx = self.write_pool(&changing).begin().await?;
                let (trigger, action) = rule_targets(&mut tx, rule).await?;
                let updated = sqlx::query_as(
                    "UPDATE rule SET label = $1, description = $2, trigger = $3, trigger_ref = $4, \
                     trigger_params = $5, criteria = $6, action = $7, action_ref = $8, action_params = $9, \
                     enabled = $10, updated = $11, updated_by = $13 WHERE ref = $12 RETURNING *",
                )
                .bind(&rule.label).bind(&rule.description).bind(trigger).bind(&rule.trigger_ref)
                .bind(&rule.trigger_params).bind(&rule.criteria).bind(action).bind(&rule.action_ref)
                .bind(&rule.action_params).bind(rule.enabled).bind($crate::sql::now()).bind(rule_ref)
                .bind(rule.author)
                .fetch_optional(&mut *tx).await?
                .ok_or_else(|| $crate::StoreError::not_found("rule", rule_ref))?;
                tx.commit().await?;
                Ok(updated)
            }

            async fn set_rule_enabled(&self, rule_ref: &str, enabled: bool) -> $crate::StoreResult<attune_domain::rule::Rule> {
                let changing = self.changing();
                sqlx::query_as("UPDATE rule SET enabled = $1, updated = $2 WHERE ref = $3 RETURNING *")
                    .bind(enabled)
                    .bind($crate::sql::now())
                    .bind(rule_ref)
                    .fetch_optional(self.write_pool(&changing))
                    .await?
                    .ok_or_else(|| $crate::StoreError::not_found("rule", rule_ref))
            }

            async fn delete_rule(&self, rule_ref: &str) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM rule WHERE ref = $1", "rule", rule_ref.to_owned())
            }

            async fn get_policy(&self, policy_ref: &str) -> $crate::StoreResult<attune_domain::policy::Policy> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::policy::Policy,
                    "SELECT * FROM policy WHERE ref = $1", "policy", policy_ref.to_owned())
            }

            async fn list_policies(
                &self,
                action_ref: Option<&str>,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::policy::Policy>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::policy::Policy, "policy", "ref", page, |qb| {
                    if let Some(a) = action_ref { qb.push(" AND action_ref = ").push_bind(a.to_owned()); }
                }))
            }

            async fn action_policies(&self, action_ref: &str) -> $crate::StoreResult<Vec<attune_domain::policy::Policy>> {
                $crate::sql::memoized!(self, action_policies, action_ref.to_owned(), Ok(sqlx::query_as(
                    "SELECT * FROM policy WHERE action_ref = $1 AND enabled ORDER BY ref",
                )
                .bind(action_ref)
                .fetch_all(self.read_pool())
                .await?))
            }

            async fn create_policy(
                &self,
                policy: &attune_domain::policy::NewPolicy,
            ) -> $crate::StoreResult<attune_domain::policy::Policy> {
                let changing = self.changing();
                use $crate::StoreError;
                let pack_ref = policy.r#ref.split_once('.').map(|(p, _)| p).unwrap_or_default();
                let mut tx = self.write_pool(&changing).begin().await?;
                let pack: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM pack WHERE ref = $1")
                    .bind(pack_ref).fetch_optional(&mut *tx).await?;
                let pack = pack.ok_or_else(|| StoreError::UnknownReference(format!("pack '{pack_ref}' does not exist")))?;
                let action = policy_action(&mut tx, policy).await?;
                let created = sqlx::query_as(
                    "INSERT INTO policy (ref, pack, pack_ref, action, action_ref, policy_type, method, threshold, \
                     parameters, settings, enabled, from_pack, created, updated) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE, $12, $12) RETURNING *",
                )
                .bind(&policy.r#ref).bind(pack).bind(pack_ref).bind(action).bind(&policy.action_ref)
                .bind(policy.policy_type).bind(policy.method).bind(policy.threshold)
                .bind(sqlx::types::Json(&policy.parameters)).bind(&policy.settings).bind(policy.enabled)
                .bind($crate::sql::now())
                .fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(created)
            }

            async fn update_policy(
                &self,
                policy_ref: &str,
                policy: &attune_domain::policy::NewPolicy,
            ) -> $crate::StoreResult<attune_domain::policy::Policy> {
                let changing = self.changing();
                let mut tx = self.write_pool(&changing).begin().await?;
                let action = policy_action(&mut tx, policy).await?;
                let updated = sqlx::query_as(
                    "UPDATE policy SET action = $1, action_ref = $2, policy_type = $3, method = $4, threshold = $5, \
                     parameters = $6, settings = $7, enabled = $8, updated = $9 WHERE ref = $10 RETURNING *",
                )
                .bind(action).bind(&policy.action_ref).bind(policy.policy_type).bind(policy.method)
                .bind(policy.threshold).bind(sqlx::types::Json(&policy.parameters)).bind(&policy.settings)
                .bind(policy.enabled).bind($crate::sql::now()).bind(policy_ref)
                .fetch_optional(&mut *tx).await?
                .ok_or_else(|| $crate::StoreError::not_found("policy", policy_ref))?;
                tx.commit().await?;
                Ok(updated)
            }

            async fn delete_policy(&self, policy_ref: &str) -> $crate::StoreResult<()> {
                let changing = self.changing();
                $crate::sql::delete_by!(self.write_pool(&changing), "DELETE FROM policy WHERE ref = $1", "policy", policy_ref.to_owned())
            }

            async fn get_workflow_definition(
                &self,
                workflow_ref: &str,
            ) -> $crate::StoreResult<attune_domain::workflow::WorkflowDefinition> {
                $crate::sql::fetch_one_by!(self.read_pool(), attune_domain::workflow::WorkflowDefinition,
                    "SELECT * FROM workflow_definition WHERE ref = $1", "workflow", workflow_ref.to_owned())
            }

            async fn list_workflow_definitions(
                &self,
                filter: &$crate::ComponentFilter,
                page: attune_domain::page::PageRequest,
            ) -> $crate::StoreResult<attune_domain::page::Page<attune_domain::workflow::WorkflowDefinition>> {
                Ok($crate::sql::fetch_page!(self.read_pool(), $db, attune_domain::workflow::WorkflowDefinition,
                    "workflow_definition", "ref", page, |qb| {
                    if let Some(pack) = &filter.pack { qb.push(" AND pack_ref = ").push_bind(pack.clone()); }
                }))
            }
        }

        /// The id of a policy's action, which must exist.
        async fn policy_action(
            tx: &mut sqlx::Transaction<'_, $db>,
            policy: &attune_domain::policy::NewPolicy,
        ) -> $crate::StoreResult<attune_domain::Id> {
            let action: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM action WHERE ref = $1")
                .bind(&policy.action_ref).fetch_optional(&mut **tx).await?;
            action.ok_or_else(|| {
                $crate::StoreError::UnknownReference(format!("action '{}' does not exist", policy.action_ref))
            })
        }

        /// The ids of a rule's trigger and action, which must exist.
        async fn rule_targets(
            tx: &mut sqlx::Transaction<'_, $db>,
            rule: &attune_domain::rule::NewRule,
        ) -> $crate::StoreResult<(attune_domain::Id, attune_domain::Id)> {
            use $crate::StoreError;
            let trigger: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM trigger WHERE ref = $1")
                .bind(&rule.trigger_ref).fetch_optional(&mut **tx).await?;
            let trigger = trigger.ok_or_else(|| {
                StoreError::UnknownReference(format!("trigger '{}' does not exist", rule.trigger_ref))
            })?;
            let action: Option<attune_domain::Id> = sqlx::query_scalar("SELECT id FROM action WHERE ref = $1")
                .bind(&rule.action_ref).fetch_optional(&mut **tx).await?;
            let action = action.ok_or_else(|| {
                StoreError::UnknownReference(format!("action '{}' does not exist", rule.action_ref))
            })?;
            Ok((trigger, action))
        }
    };
}
pub(crate) use impl_pack_store;

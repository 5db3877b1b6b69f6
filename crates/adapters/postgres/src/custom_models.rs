//! [`CustomModelRepository`] on `custom_models` and `custom_model_versions`. A model's
//! versioned settings are one JSON document (header values sealed by the domain's
//! cipher); each create or change writes the model and its version row in one
//! transaction, under a row lock so two changes cannot take the same version number.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::scoped_futures::ScopedFutureExt as _;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use polychat_domain::custom_model::{
    CustomModel, ModelSettings, ModelSlug, ModelVersion, SealedHeader,
};
use polychat_domain::ports::{Clock, CustomModelRepository, StoreError, SystemClock};
use polychat_domain::{CustomModelId, ModelName, UserId, Username};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::corrupt;
use crate::pool::{Postgres, Within as _};
use crate::schema::{custom_model_versions as versions, custom_models as models};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = models, check_for_backend(diesel::pg::Pg))]
struct ModelRow {
    id: Uuid,
    slug: String,
    is_active: bool,
    settings: Value,
    signing_secret: String,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = versions, check_for_backend(diesel::pg::Pg))]
struct VersionRow {
    model_id: Uuid,
    version: i32,
    settings: Value,
    changed_at: DateTime<Utc>,
    changed_by: Option<Uuid>,
}

/// The stored form of [`ModelSettings`].
#[derive(Serialize, Deserialize)]
struct SettingsDoc {
    slug: String,
    name: String,
    description: Option<String>,
    chat_webhook_url: String,
    completions_webhook_url: String,
    is_active: bool,
    fallback_model: Option<String>,
    timeout_seconds: u32,
    allowed_usernames: Vec<String>,
    webhook_headers: Vec<HeaderDoc>,
}

#[derive(Serialize, Deserialize)]
struct HeaderDoc {
    name: String,
    ciphertext: String,
}

fn to_doc(settings: &ModelSettings) -> Value {
    let doc = SettingsDoc {
        slug: settings.slug.to_string(),
        name: settings.name.clone(),
        description: settings.description.clone(),
        chat_webhook_url: settings.chat_webhook_url.clone(),
        completions_webhook_url: settings.completions_webhook_url.clone(),
        is_active: settings.is_active,
        fallback_model: settings
            .fallback_model
            .as_ref()
            .map(|m| m.as_str().to_owned()),
        timeout_seconds: settings.timeout_seconds,
        allowed_usernames: settings
            .allowed_usernames
            .iter()
            .map(|u| u.as_str().to_owned())
            .collect(),
        webhook_headers: settings
            .webhook_headers
            .iter()
            .map(|h| HeaderDoc {
                name: h.name.clone(),
                ciphertext: h.ciphertext.clone(),
            })
            .collect(),
    };
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

fn from_doc(value: Value) -> Result<ModelSettings, StoreError> {
    let doc: SettingsDoc =
        serde_json::from_value(value).map_err(|e| corrupt("custom model settings", e))?;
    Ok(ModelSettings {
        slug: ModelSlug::parse(&doc.slug).map_err(|e| corrupt("model slug", e))?,
        name: doc.name,
        description: doc.description,
        chat_webhook_url: doc.chat_webhook_url,
        completions_webhook_url: doc.completions_webhook_url,
        is_active: doc.is_active,
        fallback_model: doc
            .fallback_model
            .as_deref()
            .map(ModelName::parse)
            .transpose()
            .map_err(|e| corrupt("fallback model", e))?,
        timeout_seconds: doc.timeout_seconds,
        allowed_usernames: doc
            .allowed_usernames
            .iter()
            .map(|u| Username::parse(u))
            .collect::<Result<_, _>>()
            .map_err(|e| corrupt("allowed username", e))?,
        webhook_headers: doc
            .webhook_headers
            .into_iter()
            .map(|h| SealedHeader {
                name: h.name,
                ciphertext: h.ciphertext,
            })
            .collect(),
    })
}

fn version_number(version: i32) -> Result<u32, StoreError> {
    u32::try_from(version).map_err(|e| corrupt("model version", e))
}

impl TryFrom<ModelRow> for CustomModel {
    type Error = StoreError;

    fn try_from(row: ModelRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: CustomModelId::from_uuid(row.id),
            settings: from_doc(row.settings)?,
            signing_secret: row.signing_secret,
            version: version_number(row.version)?,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn models_from(rows: Vec<ModelRow>) -> Result<Vec<CustomModel>, StoreError> {
    rows.into_iter().map(CustomModel::try_from).collect()
}

#[async_trait]
impl CustomModelRepository for Postgres {
    async fn create(&self, model: &CustomModel, changed_by: UserId) -> Result<(), StoreError> {
        let settings = to_doc(&model.settings);
        let version = i32::try_from(model.version).map_err(|e| corrupt("model version", e))?;
        let row = ModelRow {
            id: model.id.as_uuid(),
            slug: model.settings.slug.to_string(),
            is_active: model.settings.is_active,
            settings: settings.clone(),
            signing_secret: model.signing_secret.clone(),
            version,
            created_at: model.created_at,
            updated_at: model.updated_at,
        };
        let first = VersionRow {
            model_id: row.id,
            version,
            settings,
            changed_at: model.updated_at,
            changed_by: Some(changed_by.as_uuid()),
        };
        let mut conn = self.conn().await?;
        conn.transaction(|conn| {
            async move {
                diesel::insert_into(models::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                diesel::insert_into(versions::table)
                    .values(&first)
                    .execute(conn)
                    .await?;
                Ok::<_, diesel::result::Error>(())
            }
            .scope_boxed()
        })
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))
    }

    async fn update(
        &self,
        id: CustomModelId,
        settings: &ModelSettings,
        changed_by: UserId,
    ) -> Result<Option<CustomModel>, StoreError> {
        let doc = to_doc(settings);
        let slug = settings.slug.to_string();
        let is_active = settings.is_active;
        let now = SystemClock.now();
        let mut conn = self.conn().await?;
        let row = conn
            .transaction(|conn| {
                async move {
                    let current: Option<i32> = models::table
                        .find(id.as_uuid())
                        .select(models::version)
                        .for_update()
                        .first(conn)
                        .await
                        .optional()?;
                    let Some(current) = current else {
                        return Ok(None);
                    };
                    let row: ModelRow = diesel::update(models::table.find(id.as_uuid()))
                        .set((
                            models::slug.eq(slug),
                            models::is_active.eq(is_active),
                            models::settings.eq(&doc),
                            models::version.eq(current + 1),
                            models::updated_at.eq(now),
                        ))
                        .returning(ModelRow::as_returning())
                        .get_result(conn)
                        .await?;
                    diesel::insert_into(versions::table)
                        .values(VersionRow {
                            model_id: id.as_uuid(),
                            version: current + 1,
                            settings: doc.clone(),
                            changed_at: now,
                            changed_by: Some(changed_by.as_uuid()),
                        })
                        .execute(conn)
                        .await?;
                    Ok::<_, diesel::result::Error>(Some(row))
                }
                .scope_boxed()
            })
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        row.map(CustomModel::try_from).transpose()
    }

    async fn find(&self, id: CustomModelId) -> Result<Option<CustomModel>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ModelRow> = models::table
            .find(id.as_uuid())
            .select(ModelRow::as_select())
            .first(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?;
        row.map(CustomModel::try_from).transpose()
    }

    async fn find_by_slug(&self, slug: &ModelSlug) -> Result<Option<CustomModel>, StoreError> {
        let mut conn = self.conn().await?;
        let row: Option<ModelRow> = models::table
            .filter(models::slug.eq(slug.as_str()))
            .select(ModelRow::as_select())
            .first(&mut conn)
            .within(self.deadline)
            .await
            .optional()
            .map_err(|error| self.failed(error))?;
        row.map(CustomModel::try_from).transpose()
    }

    async fn list(&self, include_inactive: bool) -> Result<Vec<CustomModel>, StoreError> {
        let mut conn = self.conn().await?;
        let mut query = models::table
            .select(ModelRow::as_select())
            .order(models::slug.asc())
            .into_boxed();
        if !include_inactive {
            query = query.filter(models::is_active.eq(true));
        }
        let rows = query
            .load(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        models_from(rows)
    }

    async fn versions(&self, id: CustomModelId) -> Result<Vec<ModelVersion>, StoreError> {
        let mut conn = self.conn().await?;
        let rows: Vec<VersionRow> = versions::table
            .filter(versions::model_id.eq(id.as_uuid()))
            .order(versions::version.desc())
            .select(VersionRow::as_select())
            .load(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        rows.into_iter()
            .map(|row| {
                Ok(ModelVersion {
                    version: version_number(row.version)?,
                    changed_at: row.changed_at,
                    changed_by: row.changed_by.map(UserId::from_uuid),
                    settings: from_doc(row.settings)?,
                })
            })
            .collect()
    }

    async fn purge(&self, id: CustomModelId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let deleted = diesel::delete(models::table.find(id.as_uuid()))
            .execute(&mut conn)
            .within(self.deadline)
            .await
            .map_err(|error| self.failed(error))?;
        Ok(deleted > 0)
    }

    async fn replace_settings(
        &self,
        id: CustomModelId,
        version: Option<u32>,
        before: &ModelSettings,
        after: &ModelSettings,
    ) -> Result<bool, StoreError> {
        let (before, after) = (to_doc(before), to_doc(after));
        let mut conn = self.conn().await?;
        let replaced = match version {
            None => {
                diesel::update(
                    models::table
                        .find(id.as_uuid())
                        .filter(models::settings.eq(&before)),
                )
                .set(models::settings.eq(&after))
                .execute(&mut conn)
                .within(self.deadline)
                .await
            }
            Some(number) => {
                let number = i32::try_from(number).map_err(|e| corrupt("model version", e))?;
                diesel::update(
                    versions::table
                        .find((id.as_uuid(), number))
                        .filter(versions::settings.eq(&before)),
                )
                .set(versions::settings.eq(&after))
                .execute(&mut conn)
                .within(self.deadline)
                .await
            }
        }
        .map_err(|error| self.failed(error))?;
        Ok(replaced > 0)
    }

    async fn replace_signing_secret(
        &self,
        id: CustomModelId,
        before: &str,
        after: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let replaced = diesel::update(
            models::table
                .find(id.as_uuid())
                .filter(models::signing_secret.eq(before)),
        )
        .set(models::signing_secret.eq(after))
        .execute(&mut conn)
        .within(self.deadline)
        .await
        .map_err(|error| self.failed(error))?;
        Ok(replaced > 0)
    }
}

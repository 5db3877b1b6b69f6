//! The user's direct control over preferences: add, list, edit, delete, validation.

use serde_json::{Value, json};

use super::{delete, preference_texts, preferences, put, ready_user};
use crate::harness::TestApp;

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn add_list_edit_and_delete() {
    let app = TestApp::spawn().await;
    let token = ready_user(&app).await;
    let (status, added) = status_and_body(
        app.post(
            "/user/preferences",
            Some(&token),
            &json!({"text": "Prefiro respostas curtas, sempre"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{added}");
    for field in ["id", "text", "kind", "created_at", "updated_at"] {
        assert!(!added[field].is_null(), "{field}: {added}");
    }
    assert!(added["source_chat_id"].is_null());
    let (status, explicit) = status_and_body(
        app.post(
            "/user/preferences",
            Some(&token),
            &json!({"text": "gosto de jazz", "kind": "preference"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, explicit["kind"].as_str()),
        (201, Some("preference"))
    );
    // The same statement again answers with the one remembered.
    let (status, again) = status_and_body(
        app.post(
            "/user/preferences",
            Some(&token),
            &json!({"text": "gosto de jazz", "kind": "preference"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, &again["id"]), (201, &explicit["id"]));
    assert_eq!(preferences(&app, &token).await.len(), 2);

    let id = explicit["id"].as_str().unwrap();
    let (status, edited) = status_and_body(
        put(
            &app,
            &format!("/user/preferences/{id}"),
            &token,
            &json!({"text": "gosto de rock"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(
        (edited["id"].as_str(), edited["text"].as_str()),
        (Some(id), Some("gosto de rock"))
    );
    assert_eq!(edited["kind"], "preference");
    let texts = preference_texts(&app, &token).await;
    assert!(
        texts.contains(&"gosto de rock".to_owned()) && !texts.contains(&"gosto de jazz".to_owned())
    );

    assert_eq!(
        delete(&app, &format!("/user/preferences/{id}"), &token)
            .await
            .status(),
        204
    );
    assert_eq!(preferences(&app, &token).await.len(), 1);
}

#[tokio::test]
async fn invalid_statements_and_unknown_ids_are_refused() {
    let app = TestApp::spawn().await;
    let token = ready_user(&app).await;
    let long = "a".repeat(501);
    for body in [
        json!({"text": ""}),
        json!({"text": "   "}),
        json!({"text": long}),
        json!({"text": "gosto de jazz", "kind": "mood"}),
    ] {
        let (status, error) =
            status_and_body(app.post("/user/preferences", Some(&token), &body).await).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(error["error"]["code"], "validation_failed");
    }
    assert!(preferences(&app, &token).await.is_empty());

    let unknown = uuid::Uuid::new_v4();
    for path in [
        format!("/user/preferences/{unknown}"),
        "/user/preferences/not-an-id".to_owned(),
    ] {
        let (status, error) =
            status_and_body(put(&app, &path, &token, &json!({"text": "gosto de rock"})).await)
                .await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
        assert_eq!(delete(&app, &path, &token).await.status(), 404, "{path}");
    }
    let (_, added) = status_and_body(
        app.post(
            "/user/preferences",
            Some(&token),
            &json!({"text": "gosto de jazz"}),
        )
        .await,
    )
    .await;
    let id = added["id"].as_str().unwrap();
    let (status, _) = status_and_body(
        put(
            &app,
            &format!("/user/preferences/{id}"),
            &token,
            &json!({"text": ""}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = status_and_body(
        put(
            &app,
            &format!("/user/preferences/{id}"),
            &token,
            &json!({"text": "x", "kind": "mood"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        preference_texts(&app, &token).await,
        vec!["gosto de jazz".to_owned()]
    );
    assert_eq!(app.get("/user/preferences", None).await.status(), 401);
}

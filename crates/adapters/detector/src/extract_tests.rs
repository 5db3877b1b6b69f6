//! Tests of statement extraction: clause splitting and the choice of statements.

use super::*;

fn texts(prompt: &str, kind: PreferenceKind) -> Vec<String> {
    let model = Model::embedded().expect("weights load");
    statements(prompt, kind, &model)
        .into_iter()
        .map(|d| d.text.as_str().to_owned())
        .collect()
}

#[test]
fn sentences_and_task_clauses_are_split() {
    assert_eq!(
        clauses("Sou nutricionista, me ajuda a montar um cardápio? Valeu!"),
        [
            "Sou nutricionista",
            "me ajuda a montar um cardápio?",
            "Valeu"
        ]
    );
    assert_eq!(
        clauses("I'm a nurse. Any tips for R$ 1.234,56 budgets?"),
        ["I'm a nurse", "Any tips for R$ 1.234,56 budgets?"]
    );
    // Never inside quotes.
    assert_eq!(
        clauses("Traduz: \"Sou X. Moro em Y\""),
        ["Traduz", "\"Sou X. Moro em Y\""]
    );
}

#[test]
fn the_statement_is_kept_without_the_task() {
    assert_eq!(
        texts(
            "Soy abogado laboralista, ¿me ayudas con un contrato?",
            PreferenceKind::Identity
        ),
        ["Soy abogado laboralista"]
    );
    assert_eq!(
        texts(
            "Sou daltônico, então sempre que sugerir cores leva isso em conta.",
            PreferenceKind::Fact
        )[0],
        "Sou daltônico"
    );
    assert_eq!(
        texts(
            "Não sou programador, sou designer, então explica sem jargão",
            PreferenceKind::Identity
        )[0],
        "sou designer"
    );
}

#[test]
fn style_instructions_are_kept_whole_and_extra_facts_follow() {
    let found = texts(
        "Keep your answers short from now on — I mostly read them on my phone.",
        PreferenceKind::Style,
    );
    assert_eq!(found[0], "Keep your answers short from now on");
    let found = texts(
        "Moro em Natal. Tenho dois gatos. Qual ração é melhor?",
        PreferenceKind::Fact,
    );
    assert_eq!(found, ["Moro em Natal", "Tenho dois gatos"]);
}

#[test]
fn long_statements_are_cut_to_the_limit() {
    let long = format!("Sou {}", "muito ".repeat(200));
    let found = texts(&long, PreferenceKind::Identity);
    assert_eq!(found[0].chars().count(), PreferenceText::MAX_CHARS);
}

#[test]
fn a_conjunction_before_a_new_subject_or_time_word_splits() {
    assert_eq!(
        clauses("Sou sapateiro e hoje tô de folga"),
        ["Sou sapateiro", "hoje tô de folga"]
    );
    assert_eq!(
        clauses("Sou marceneiro e preciso de um orçamento"),
        ["Sou marceneiro", "preciso de um orçamento"]
    );
    assert_eq!(
        clauses("My cousin lives in Perth and I live in Hobart"),
        ["My cousin lives in Perth", "I live in Hobart"]
    );
    // A plural subject with the user stays whole.
    assert_eq!(
        clauses("Eu e meu pai criamos abelhas"),
        ["Eu e meu pai criamos abelhas"]
    );
    assert_eq!(
        clauses("Minha prima e eu temos um brechó"),
        ["Minha prima e eu temos um brechó"]
    );
    assert_eq!(
        texts(
            "Mi prima vive en Quito y yo vivo en Cuenca",
            PreferenceKind::Fact
        ),
        ["yo vivo en Cuenca"]
    );
}

#[test]
fn a_contrast_splits_the_user_from_someone_else() {
    assert_eq!(
        clauses("Meu pai ama jazz mas eu prefiro samba"),
        ["Meu pai ama jazz", "eu prefiro samba"]
    );
}

#[test]
fn without_a_clear_statement_code_is_not_saved() {
    assert_eq!(
        outside_text("```sh\nrm -rf /tmp/x\n```\nok?  tudo   bem"),
        "ok? tudo bem"
    );
}

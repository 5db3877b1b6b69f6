//! Tests of the rule features on crafted pt/en/es sentences.

use super::*;
use crate::model::Model;

fn on(prompt: &str, index: usize) -> bool {
    let model = Model::embedded().expect("weights load");
    features(prompt, &model.lexicon, &model.sarcasm_raw)[index] > 0.5
}

#[test]
fn folding_and_tokens() {
    assert_eq!(fold("NÃO Sou Ñandú"), "nao sou nandu");
    assert_eq!(
        tokens("I'm a nurse — não sou médica!"),
        ["i", "m", "a", "nurse", "nao", "sou", "medica"]
    );
}

#[test]
fn first_person_and_negation_in_three_languages() {
    assert!(on("Sou dentista em Natal", 0));
    assert!(on("Soy dentista en Lima", 0));
    assert!(on("I'm a dentist in Leeds", 0));
    assert!(!on("Não sou dentista, só curioso", 0));
    assert!(on("Não sou dentista, só curioso", 1));
    assert!(on("I'm not a dentist", 1));
    // "No soy X, soy Y" keeps an affirmed label.
    assert!(on("No soy médico, soy enfermero", 0));
    // Inside quotes it is not the user's voice.
    assert!(!on("Traduce: \"Soy dentista en Lima\"", 0));
    assert!(on("Traduce: \"Soy dentista en Lima\"", 21));
}

#[test]
fn hypotheticals_third_persons_and_instruction_scope() {
    assert!(on("Se eu fosse piloto, quanto ganharia?", 5));
    assert!(on("Suppose I lived in Oslo", 5));
    assert!(on("Si yo fuera rico, ¿qué compraría?", 5));
    assert!(on("Minha irmã é médica", 9));
    assert!(on("My boss prefers short reports", 9));
    assert!(on("Mi jefa prefiere informes cortos", 9));
    assert!(on("Responde só essa em tópicos", 11));
    assert!(on("Only in this chat, talk like a pirate", 11));
    assert!(on("A partir de agora fale comigo formalmente", 12));
    assert!(on("From now on keep it short", 12));
    assert!(on("De aquí en adelante háblame de tú", 12));
    assert!(on("Claro, sou o papa 🙄", 15));
}

#[test]
fn clauses_split_at_punctuation_and_contrast() {
    let split = split_outside("Meu irmão é médico, mas eu sou enfermeiro. Ok? \"eu, não\"");
    let found: Vec<(Vec<String>, bool)> = clauses(&split.outside)
        .into_iter()
        .map(|c| (c.tokens, c.question))
        .collect();
    let owned = |t: &[&str]| t.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        found,
        [
            (owned(&["meu", "irmao", "e", "medico"]), false),
            (owned(&["eu", "sou", "enfermeiro"]), false),
            (owned(&["ok"]), true),
        ]
    );
    let spanish = clauses("Vivo en Lima, ¿qué hago hoy");
    assert!(!spanish[0].question && spanish[1].question);
}

#[test]
fn explicit_memory_stop_instructions_plural_subjects_and_laughter() {
    assert!(on("Lembra que eu sou canhoto", 26));
    assert!(on("Keep in mind I work nights", 26));
    assert!(on("Recuerda que vivo en Cádiz", 26));
    assert!(!on("Quanto é 17 vezes 23?", 26));
    assert!(on("Para de usar emoji", 27));
    assert!(on("Stop apologizing", 27));
    assert!(on("Deja de tratarme de usted", 27));
    assert!(on("Eu e minha esposa moramos em Natal", 28));
    assert!(on("My wife and I run a bakery", 28));
    assert!(on("Mi pareja y yo vivimos en Cádiz", 28));
    assert!(on("sou um gênio kkkk", 29));
    assert!(on("I'm a genius lol", 29));
    assert!(!on("I'm a genius", 29));
}

#[test]
fn clause_flags_attribute_the_subject() {
    // The user's own clause stays clean beside a third person's.
    assert!(on("Minha irmã mora em Recife, eu moro em Natal", 30));
    assert!(on("Minha irmã mora em Recife, eu moro em Natal", 31));
    assert!(on("My sister is a nurse. I'm a teacher", 31));
    // A third person alone, or the user only in scoped clauses: no clean clause.
    assert!(!on("Mi hermano es abogado", 30));
    assert!(on("Suppose I'm a pilot in Oslo", 32));
    assert!(on("I'm so tired today", 32));
    assert!(on(
        "Estoy pensando en estudiar enfermería, soy tan indecisa hoy",
        32
    ));
    assert!(!on("Soy enfermera en Cádiz", 32));
    // A possessive subject is someone else; "meu nome" is the user.
    assert!(!on("Meu enteado joga bola todo dia", 30));
    assert!(on("Meu nome é Caio", 30));
    // A first-person verb inside a question is a request, not a statement.
    assert!(!on("Minha sogra vem amanhã, que bolo eu faço?", 30));
}

#[test]
fn conjunction_before_a_new_subject_or_time_word_opens_a_clause() {
    let words =
        |text: &str| -> Vec<Vec<String>> { clauses(text).into_iter().map(|c| c.tokens).collect() };
    // A durable fact keeps its clause clean beside a temporary state.
    assert_eq!(words("Sou pintora e hoje tô sem energia").len(), 2);
    assert!(on("Sou pintora e hoje tô sem energia", 30));
    assert!(on("I'm a baker and today I'm exhausted", 30));
    assert!(on("Soy panadero y hoy estoy agotado", 30));
    // "eu e minha esposa" stays one plural subject.
    assert_eq!(words("eu e minha esposa criamos cabras").len(), 1);
    assert!(on("eu e minha esposa criamos cabras", 30));
    // "my X and I…" is one plural subject, with the user in it.
    assert_eq!(words("My aunt and I breed goats").len(), 1);
    assert!(on("My aunt and I breed goats", 30));
    // "X e eu…" puts the user in a clause of their own.
    assert!(on("Meu primo é de Belém e eu sou de Macapá", 31));
}

#[test]
fn ignorance_and_own_possessives() {
    assert!(on("Não entendo nada de xadrez, como move o cavalo?", 33));
    assert!(on("I know nothing about sailing, what's a jib?", 33));
    assert!(on("Ni idea de química, ¿qué es un mol?", 33));
    // Saying one knows nothing is no statement about the user to keep.
    assert!(!on("Sou leiga em finanças, o que é CDB?", 30));
    // The user's own shop, job or pet is not someone else.
    assert!(on("Minha loja de bicicletas fica em Olinda", 34));
    assert!(on("Minha loja de bicicletas fica em Olinda", 30));
    assert!(on("My dog is a 12-year-old beagle", 30));
    assert!(on("Mi negocio de tortas va bien", 30));
    assert!(!on("Mi cuñada vende tortas", 30));
}

#[test]
fn subordinate_clauses_state_and_reminders_do_not_ask_to_remember() {
    // The fact after "given that" / "já que" / "ya que" is not part of the question.
    let found = clauses("which boots should I buy given that I work on a fishing boat?");
    assert!(found[0].question && !found[1].question);
    assert!(on("Que tênis comprar, já que eu corro maratonas?", 30));
    assert!(on("¿Qué leo ya que soy profesora de física?", 30));
    // "me lembra…" asks to be reminded; "lembra que eu…" asks to remember.
    assert!(!on("Me lembra a fórmula da área do círculo?", 26));
    assert!(on("Lembra que eu uso Windows", 26));
    assert!(!on("Remind me what a mole is", 26));
    // A label with laughter is self-mockery.
    assert!(on("sou o rei da preguiça kkkk", 38));
    assert!(!on("sou dentista, kkkk que dia", 38));
}

#[test]
fn generic_first_person_verbs_and_while_clauses() {
    // A first-person verb outside the lists still states a fact…
    assert!(on("I restore old pianos for a living", 30));
    assert!(on("eu conserto geladeira faz anos", 30));
    assert!(on("yo reparo bicicletas en Lima", 30));
    // …but not an auxiliary, a wish or a one-off past.
    assert!(!on("I need a gift idea", 30));
    assert!(!on("I dropped my phone in the sink", 30));
    assert!(!on("eu acho que vai chover", 30));
    // "enquanto / while / mientras" cuts the user's clause from someone else's.
    assert!(on("My wife teaches while I drive a tram in Lisbon", 31));
    assert!(on("Meu pai mora no Acre enquanto eu moro em Goiânia", 31));
    // "e + possessive" opens a new clause, except right after "eu".
    assert!(on("Sou celíaca e minha mãe faz pão todo dia", 31));
    assert!(on("eu e minha tia criamos galinhas", 30));
}

//! One prompt per error class of issue #14 in each language, through the real
//! embeddings: the six kinds of false memory and the six kinds of missed memory.

use polychat_detector::Detector;
use polychat_domain::ports::PreferenceDetector;

use crate::embeddings::query_embeddings;

/// (class, prompt, whether it holds something to remember).
const CASES: &[(&str, &str, bool)] = &[
    // Not to remember: other people, even when the request depends on them.
    (
        "other/pt",
        "Minha sogra é diabética e vem almoçar domingo, que sobremesa sem açúcar eu faço?",
        false,
    ),
    (
        "other/en",
        "My flatmate is a huge Taylor Swift fan, what should I get her for her birthday?",
        false,
    ),
    (
        "other/es",
        "Mi cuñado es fontanero y quiere hacer publicidad en Instagram, ¿qué le sugieres?",
        false,
    ),
    // Sarcasm and self-mockery.
    (
        "sarcasm/pt",
        "Ah sim, sou um atleta olímpico, cansei descendo a escada kkkk",
        false,
    ),
    (
        "sarcasm/en",
        "Oh yeah I'm a financial wizard 🙃 overdrafted twice this month",
        false,
    ),
    (
        "sarcasm/es",
        "Claro, soy la reina de la cocina jajaja, se me quemó el agua",
        false,
    ),
    // Temporary states and one-off events.
    (
        "temporary/pt",
        "Tô com enxaqueca desde cedo, que posição ajuda a aliviar?",
        false,
    ),
    (
        "temporary/en",
        "I'm stuck at a layover in Frankfurt for six hours, what can I do?",
        false,
    ),
    (
        "temporary/es",
        "Estoy con fiebre desde ayer, ¿cuándo voy al médico?",
        false,
    ),
    // Hypotheticals, wishes and plans.
    (
        "hypothetical/pt",
        "Se eu virasse motorista de aplicativo, quanto tiraria por mês?",
        false,
    ),
    (
        "hypothetical/en",
        "I'm thinking about moving to Lisbon next year, is it expensive?",
        false,
    ),
    (
        "hypothetical/es",
        "Si yo fuera dentista, ¿cuánto ganaría en Chile?",
        false,
    ),
    // A format or tone for this answer only, or a choice between drafts.
    (
        "one-off/pt",
        "Responde essa só com uma frase: o que é PIB?",
        false,
    ),
    (
        "one-off/en",
        "I prefer the second draft you wrote, tighten it a bit",
        false,
    ),
    (
        "one-off/es",
        "Para este mensaje usa un tono muy formal, es para el banco",
        false,
    ),
    // Only saying the user does not know the topic.
    (
        "ignorance/pt",
        "Não entendo nada de astronomia, o que é uma anã branca?",
        false,
    ),
    (
        "ignorance/en",
        "I know nothing about knitting, what's a purl stitch?",
        false,
    ),
    (
        "ignorance/es",
        "No sé nada de bolsa, ¿qué es un dividendo?",
        false,
    ),
    // To remember: a durable fact in a clause before the request.
    (
        "clause/pt",
        "Como trabalho como eletricista há anos, queria saber se vale a pena fazer um curso de energia solar",
        true,
    ),
    (
        "clause/en",
        "Since I'm a nurse working twelve-hour shifts, what meals can I prep on Sunday?",
        true,
    ),
    (
        "clause/es",
        "Como soy diabética, ¿qué postre me puedo preparar para la cena de Navidad?",
        true,
    ),
    // A plural subject that includes the user.
    (
        "joint/pt",
        "Eu e minha esposa temos uma pousada em Paraty, como aparecer mais no Google?",
        true,
    ),
    (
        "joint/en",
        "My husband and I have three kids under five, what car fits us best?",
        true,
    ),
    (
        "joint/es",
        "Mi novio y yo vivimos en Bilbao, ¿qué excursión hacemos el domingo?",
        true,
    ),
    // Explicit requests to remember.
    (
        "explicit/pt",
        "Lembra que eu sou alérgico a camarão, tá?",
        true,
    ),
    ("explicit/en", "Please remember that I'm vegetarian.", true),
    (
        "explicit/es",
        "Recuerda que vivo en Asunción, por favor.",
        true,
    ),
    // Standing style instructions phrased negatively.
    (
        "stop/pt",
        "Para de me responder com tanto emoji, por favor.",
        true,
    ),
    (
        "stop/en",
        "Stop adding a summary at the end of every answer.",
        true,
    ),
    ("stop/es", "Deja de llamarme señor, por favor.", true),
    // The user's own fact after a sentence about someone else.
    (
        "after-other/pt",
        "Meu irmão é engenheiro. Eu sou professor de física e quero ideias de experimento simples.",
        true,
    ),
    (
        "after-other/en",
        "My mom is a chef. I'm lactose intolerant, so which of her recipes can I adapt?",
        true,
    ),
    (
        "after-other/es",
        "Mi hermana es abogada. Yo soy enfermero y quiero entender mi contrato.",
        true,
    ),
    // The user's place or situation beside someone else's.
    (
        "beside/pt",
        "Meus pais moram em Fortaleza e eu moro em Brasília, qual voo é mais barato?",
        true,
    ),
    (
        "beside/en",
        "My brother lives in Dublin and I live in Cork, what's halfway between us?",
        true,
    ),
    (
        "beside/es",
        "Mi madre vive en Lima y yo vivo en Arequipa, ¿cómo le envío un paquete?",
        true,
    ),
];

/// Cases the shipped weights still get wrong (docs/memory-detector.md, known failure
/// patterns). The test fails when another case goes wrong, and also when one of these is
/// fixed, so the list stays exact.
const KNOWN_MISSES: &[&str] = &["one-off/es"];

#[tokio::test]
async fn every_error_class_in_every_language() {
    let detector = Detector::new().expect("weights load");
    let prompts: Vec<&str> = CASES.iter().map(|(_, p, _)| *p).collect();
    let embeddings = query_embeddings(&prompts).await;
    let wrong: Vec<&str> = CASES
        .iter()
        .zip(&embeddings)
        .filter(|((_, prompt, remember), embedding)| {
            detector.detect(prompt, Some(embedding)).is_empty() == *remember
        })
        .map(|((class, _, _), _)| *class)
        .collect();
    assert_eq!(wrong, KNOWN_MISSES, "classes the detector gets wrong");
}

"""Phrase lists behind the detector's rule features (pt-BR, en, es).

The lists are exported into model/weights.json, so the Rust crate matches exactly
the phrases the model was trained with. Phrases are matched on accent-folded,
lower-cased word tokens (see features.py), so "não sou" and "nao sou" are the same
and "I'm" is the two tokens "i m".
"""

from itertools import product

BE = ["sou", "eu sou", "soy", "yo soy", "i m", "i am", "im"]
BE_NEGATED = ["nao sou", "no soy", "i m not", "i am not", "im not", "nunca fui"]

# Verbs and openers by which people state something lasting about themselves.
FIRST_PERSON_FACT = [
    "moro", "tenho", "trabalho", "estudo", "faco", "mudei", "me mudei", "falo", "cuido",
    "meu nome", "me chamo", "pode me chamar", "me chama", "nasci", "sendo", "como bom",
    "como boa", "estou aprendendo", "to aprendendo", "tô aprendendo", "estou gravida",
    "i live", "i work", "i have", "i ve got", "i ve been", "i study", "i teach", "i run",
    "i own", "i moved", "i speak", "my name", "call me", "as a", "being a", "i just started",
    "vivo", "trabajo", "tengo", "estudio", "me llamo", "mi nombre", "llamame", "hablo",
    "llevo", "me mude", "hago", "estoy casado", "estoy casada",
    "naci", "cresci", "creci", "i was born", "i grew up", "as someone who", "as someone with",
    "como alguem que", "como alguien que", "for a living",
]
FIRST_PERSON_TASTE = [
    "prefiro", "gosto", "adoro", "odeio", "detesto", "curto", "torco", "uso", "so uso",
    "nao como", "nao bebo", "nao tomo", "nao uso", "jogo", "toco", "corro", "pedalo",
    "i prefer", "i like", "i love", "i hate", "i use", "i only use", "i don t eat",
    "i don t drink", "i don t do", "i play", "i eat", "i drink", "i ride", "i m into",
    "i m a huge", "i m a big", "fan of", "fa de", "fan de",
    "prefiero", "me gusta", "me encanta", "odio", "uso", "solo uso", "no como", "no tomo",
    "no uso", "juego", "cocino", "soy hincha", "soy del", "hincha",
    "i can t stand", "i can t handle", "i can t eat", "i can t drink", "nao suporto", "no soporto",
    "no aguanto", "i avoid", "evito",
]
NEGATED_FACT = [
    "nao moro", "nao trabalho", "i don t live", "i don t work", "no vivo", "no trabajo",
]
HYPOTHETICAL = [
    "se eu fosse", "se eu tivesse", "se eu morasse", "se eu ganhasse", "se eu largasse",
    "se eu trabalhasse", "e se eu", "supondo", "suponha", "suponhamos", "hipoteticamente",
    "imagine", "imagina", "imagino", "if i were", "if i was", "if i had", "if i lived",
    "if i moved", "what if i", "let s say", "suppose", "hypothetically", "si yo fuera",
    "si fuera", "si tuviera", "si viviera", "supongamos", "imaginate", "en un mundo donde",
    "um mundo onde", "a world where", "vamos supor", "caso eu", "say i", "if i were to",
    "suponiendo", "si me", "si yo",
]
ROLEPLAY = [
    "finja", "finge", "faz de conta", "faca de conta", "haz de cuenta", "pretend",
    "role play", "roleplay", "act as", "actua como", "vamos brincar", "let s play",
    "voce e um", "voce e uma", "you re a", "you are a", "eres un", "eres una",
    "personagem", "character", "personaje", "interprete", "teatrinho", "encenar", "role-play",
]
WISH = [
    "quem me dera", "queria ser", "queria muito ser", "gostaria de ser", "sonho em ser",
    "i wish", "i d love to be", "ojala", "me encantaria ser", "quisiera ser",
]
SHOULD = [
    "sera que eu", "vale a pena eu", "eu deveria", "devo virar", "should i", "is it too late",
    "deberia", "debo", "vale la pena", "estou pensando em", "to pensando em", "pensando em",
    "i m thinking about", "i m considering", "estoy pensando en", "talvez eu", "maybe i ll",
    "quero muito", "meu plano", "meu sonho", "um dia quero", "i plan", "i m planning",
    "thinking of", "i might", "my dream", "me gustaria", "planeo", "a lo mejor",
]
OTHER_OWNERS = ["meu", "minha", "meus", "minhas", "my", "our", "mi", "mis", "nuestro", "nuestra"]
OTHER_PEOPLE = [
    "irmao", "irma", "mae", "pai", "pais", "chefe", "filho", "filha", "filhos", "esposa",
    "marido", "namorado", "namorada", "amigo", "amiga", "avo", "tio", "tia", "primo", "prima",
    "colega", "vizinho", "vizinha", "socio", "socia", "sogro", "sogra", "sogros", "cunhado",
    "cunhada", "sobrinho", "sobrinha", "equipe", "aluno", "alunos", "cliente", "clientes",
    "brother", "sister", "mom", "mother", "dad", "father", "boss", "manager", "wife",
    "husband", "partner", "girlfriend", "boyfriend", "friend", "son", "daughter", "kids",
    "coworker", "colleague", "neighbor", "roommate", "client", "team", "parents", "cousin",
    "uncle", "aunt", "grandma", "grandmother", "grandpa",
    "hermano", "hermana", "madre", "padre", "padres", "jefe", "jefa", "esposo", "mujer",
    "novio", "novia", "hijo", "hija", "vecino", "vecina", "companero", "abuelo", "abuela",
    "companera", "companeros", "companeras", "suegro", "suegra", "cunado", "cunada", "tio", "tia",
    "nieto", "nieta", "sobrino", "sobrina", "pareja", "hijos", "hijas", "hermanos", "hermanas",
    "enteado", "enteada", "padrasto", "madrasta", "genro", "nora", "afilhado", "afilhada", "noivo",
    "noiva", "flatmate", "housemate", "stepdad", "stepmom", "stepson", "stepdaughter", "niece",
    "nephew", "grandson", "granddaughter", "fiance", "fiancee", "in laws",
]
THIRD_PERSON = [" ".join(p) for p in product(OTHER_OWNERS, OTHER_PEOPLE)] + [
    "um cliente", "o cliente", "uma pessoa", "alguem", "a vizinha", "someone", "a client",
    "the client", "un cliente", "un amigo", "una amiga", "alguien",
]
WITH_USER = [
    "eu e meu", "eu e minha", "e eu sou", "e eu moro", "and i m", "and i am", "my wife and i",
    "my husband and i", "my partner and i", "y yo soy", "mi esposa y yo", "mi marido y yo",
    "disse que tenho", "disse que eu tenho", "falou que tenho", "diz que tenho", "says i have",
    "said i have", "dice que tengo", "dijo que tengo",
]
ONE_OFF = [
    "so essa", "so dessa", "dessa vez", "desta vez", "essa vez", "nessa resposta",
    "nesta resposta", "essa resposta", "nesse chat", "neste chat", "nessa conversa",
    "nesta conversa", "durante esta", "pra essa", "para essa", "para esta", "faz essa",
    "responde essa", "me responde essa", "this one", "this time", "this answer", "this reply",
    "just this", "for this", "only in this", "in this chat", "this conversation",
    "versao", "version", "draft", "rascunho", "borrador", "opcao", "option", "opcion",
    "gostei mais", "fico com", "vou usar o", "vou usar a", "das duas", "dos dois", "das tres",
    "dos tres", "of the two", "of the three", "go with", "i ll take", "i like the", "me quedo con",
    "de las dos", "de los dos", "me gusta mas", "so agora", "just now", "opcoes", "options",
    "opciones", "versoes", "versions", "versiones", "drafts", "rascunhos", "borradores",
    "esta vez", "solo esta", "esta respuesta", "en este chat", "para esta", "por esta vez",
]
STANDING = [
    "sempre", "a partir de agora", "a partir de hoje", "daqui pra frente", "daqui em diante",
    "de agora em diante", "em geral", "todas as respostas", "todas as vezes", "pra sempre",
    "vale pra", "proximas conversas", "qualquer conversa", "nunca", "como regra",
    "always", "from now on", "going forward", "in general", "every answer", "standing",
    "never", "whenever", "every time",
    "siempre", "de aqui en adelante", "de ahora en adelante", "a partir de ahora",
    "a partir de hoy", "en general", "cada vez que", "nunca",
]
ANSWER_STYLE = [
    "responde", "responda", "responder", "fala comigo", "fale comigo", "me trata", "me trate",
    "me chama", "explica", "explique", "usa", "use", "cita", "emoji", "emojis", "formal",
    "informal", "topicos", "resumo", "curtas", "curto", "breve", "direto", "resposta",
    "respostas", "answer", "answers", "reply", "replies", "talk to me", "explain", "bullet",
    "concise", "short", "tone", "units", "spelling", "respondeme", "hablame", "explicame",
    "respuestas", "respuesta", "vinetas", "tuteame", "usted", "tu", "voce",
]
TEMPORARY = [
    "hoje", "agora", "essa semana", "esta semana", "amanha", "semana que vem",
    "mes que vem", "ontem", "estou com", "to com", "daqui a", "acordei",
    "today", "right now", "this week", "tomorrow", "next week", "next month", "yesterday",
    "in an hour", "tonight", "hoy", "ahora", "manana", "el mes que viene", "ayer",
    "semana passada", "essa noite", "hoje a noite", "de manha", "ha pouco", "agorinha",
    "this morning", "this afternoon", "this weekend", "last week", "last night", "for the weekend",
    "febre", "gripe", "gripado", "gripada", "resfriado", "resfriada", "virose", "ressaca",
    "enxaqueca", "torcicolo", "dor de cabeca", "dor de dente", "to preso", "to presa",
    "estou preso", "estou presa", "de ferias", "viajando", "hospedado", "hospedada", "a trabalho",
    "numa fila", "na fila", "esperando", "to nervoso", "to nervosa", "estou nervoso",
    "estou nervosa", "fim de semana", "minutos", "min", "ate amanha", "ate domingo", "ate segunda",
    "ate sexta", "ate sabado", "atrasado", "atrasada", "perdi o voo", "perdi o onibus",
    "voo atrasou", "voo cancelado", "sem luz", "sem internet",
    "fever", "flu", "a cold", "hungover", "migraine", "stuck", "layover", "on vacation",
    "on holiday", "sprained", "food poisoning", "sore throat", "jet lag", "nervous", "in line",
    "waiting for", "minutes", "mins", "overnight", "until sunday", "till sunday", "locked out",
    "missed my", "snowed in", "power s out", "for the night",
    "fiebre", "resfriado", "resaca", "de vacaciones", "de viaje", "atrapado", "atrapada",
    "nervioso", "nerviosa", "me duele", "jaqueca", "minutos", "hasta el lunes",
    "hasta el domingo", "perdi mi vuelo", "este fin de semana", "anoche", "encerrado",
    "cansado", "cansada", "exausto", "exausta", "com fome", "morrendo de fome", "com sono",
    "entediado", "entediada", "estressado", "estressada", "tired", "exhausted", "sleepy",
    "hungry", "starving", "bored", "stressed out", "freaking out", "agotado", "agotada",
    "con hambre", "con sueno", "aburrido", "aburrida", "estresado", "estresada",
    "esta noche", "esta manana", "hace un rato", "la semana pasada", "la semana que viene",
]
SARCASM = [
    "ah claro", "ah sim", "ah ta", "ta e eu sou", "obvio que", "claro que sou", "yeah right",
    "oh sure", "sure i m", "yeah and i m", "totally a", "si claro", "y yo soy el",
]
SARCASM_RAW = ["🙄", "😒", "🙃", "🤡", "😂", "🤣"]
PASTED_TASK = [
    "traduz", "traduza", "traduce", "translate", "revisa", "revise", "corrige", "corrija",
    "proofread", "fix the grammar", "summarize", "resume esta", "resume essa", "resuma",
    "melhora esse", "melhore", "edit this", "rewrite", "reescreve", "classifica", "classify",
    "analisa", "analyze", "rellena", "fill in", "template", "plantilla", "mensagem de commit",
    "commit message", "esse codigo", "this code", "este codigo", "bio", "put this in",
    "in french", "in german", "in english", "em ingles", "pro ingles", "al ingles",
]
FICTION = [
    "primeira pessoa", "first person", "first-person", "primera persona", "monologo",
    "monologue", "conto", "short story", "cuento", "historia", "story", "narrador",
    "narrator", "poema", "poem", "dialogo", "dialogue",
]
PASSING = [
    "sempre me perguntei", "sempre quis saber", "sempre tive curiosidade", "nunca lembro",
    "to curioso", "estou curioso", "so curiosidade", "todo ouvidos", "gostei mais",
    "gostei da", "prefiro a opcao", "opcao", "i ve always wondered", "i never remember",
    "i m curious", "just curious", "all ears", "option", "sounds better", "i like option",
    "siempre me he preguntado", "tengo curiosidad", "todo oidos", "opcion", "me gusto la",
    "me gusta mas la", "sou pessimo", "sou muito", "i m such", "soy un desastre", "sou eu",
]
DURATION = [
    "anos", "years", "meses", "months", "desde", "since", "faz tempo", "for years",
    "every day", "every weekend", "todo dia", "todo fim de semana", "toda semana",
    "todos os dias", "todos los dias", "cada semana", "por semana", "a week", "per week",
    "de toda la vida", "desde crianca", "desde chico", "lifelong", "all my life",
]
FIRST_PERSON_WORDS = [
    "eu", "me", "meu", "minha", "meus", "minhas", "comigo", "mim", "i", "my", "mine",
    "myself", "yo", "mi", "mis", "conmigo",
]

# Explicit requests to keep something: "lembra que…", "remember that…", "apunta…".
REMEMBER = [
    "lembra", "lembre", "lembrar", "anota", "anote", "guarda", "guarde", "grava", "memoriza",
    "nao esquece", "nao esqueca", "toma nota", "fica registrado", "pra voce saber",
    "para voce saber", "remember", "make a note", "note for", "keep in mind", "don t forget",
    "for future reference", "save this", "just so you know", "recuerda", "acuerdate", "apunta",
    "lembrete", "registrado", "for next time", "note that", "note this", "apunta que",
    "ten presente", "no te olvides",
        "apuntalo", "no olvides", "ten en cuenta", "guardalo", "guarda esto", "para que lo sepas",
]
# "Me lembra…" asks to be reminded of something, it does not ask to remember.
REMIND = ["me lembra", "me lembre", "me lembrar", "remind me", "recuerdame", "me recuerdas"]
# Standing instructions phrased as what to stop doing.
STOP = [
    "para de", "pare de", "parar de", "chega de", "deixa de", "deixe de", "nao precisa",
    "nada de", "nao quero mais", "nao usa", "nao use", "nao me", "stop", "quit", "no more",
    "enough with", "don t use", "don t give", "don t add", "don t call", "can you not",
    "nao quero que", "evita", "evite", "para com", "don t start", "don t ever", "never use",
    "ya no me", "no me hables", "evita", "cut it out", "knock it off",
        "deja de", "basta de", "no me", "no pongas", "no uses", "no quiero mas",
]
# The user as part of a plural subject ("eu e minha esposa moramos", "we run").
WE = [
    "eu e", "e eu", "nos dois", "nos somos", "a gente", "moramos", "temos", "somos",
    "criamos", "torcemos", "comemos", "trabalhamos", "and i", "me and", "we re", "we are",
    "we live", "we have", "we run", "we own", "we foster", "we both", "both of us", "y yo",
    "vivimos", "tenemos", "trabajamos", "nosotros",
]
# Laughter tokens; with a label they often mark a joke (sarcasm, self-mockery).
LAUGH = [
    "kk", "kkk", "kkkk", "kkkkk", "kkkkkk", "rs", "rsrs", "rsrsrs", "haha", "hahaha", "hahahaha",
    "lol", "lmao", "lmfao", "jaja", "jajaja", "jajajaja", "jeje", "hehe",
]

# Saying only that one does not know the topic of the question.
IGNORANCE = [
    "nao entendo nada", "nao sei nada", "zero entendido", "sou zero", "nunca usei", "nunca mexi", "nunca entendi",
    "nunca cozinhei", "sou leigo", "sou leiga", "sou totalmente leigo", "sou totalmente leiga",
    "nao manjo", "nao faco ideia",
    "nao faco a menor ideia", "sei zero", "nao sei como funciona", "nao entendo bulhufas",
    "i know nothing", "i know zero", "no idea", "zero clue", "no clue", "never used",
    "never touched", "i ve never", "noob", "complete beginner", "total beginner",
    "i don t know anything", "don t understand", "no se nada", "ni idea", "nunca he usado",
    "no entiendo nada", "nunca he", "no tengo idea",
]
# Possessives of the user's own things: "minha loja…", "my job…", "mi perro…".
OWN_POSSESSIVE = [
    "minha loja", "minha lojinha", "meu negocio", "minha empresa", "meu trabalho", "meu emprego",
    "minha casa", "meu apartamento", "meu ape", "meu cachorro", "minha cachorra", "meu gato",
    "minha gata", "minha dieta", "minha rotina", "meu turno", "meu hobby", "meu passatempo",
    "meu nome", "my shop", "my store", "my business", "my company", "my job", "my house",
    "my apartment", "my flat", "my dog", "my cat", "my diet", "my routine", "my shift",
    "my hobby", "my name", "mi tienda", "mi negocio", "mi empresa", "mi trabajo", "mi casa",
    "mi piso", "mi perro", "mi perra", "mi gato", "mi gata", "mi dieta", "mi rutina", "mi turno",
    "mi nombre",
]
# A first-person state ("tô com…", "estou…", "I'm feeling…"): the user, but usually a
# passing state rather than a trait, so such a clause is scoped unless it is durable.
FP_STATE = [
    "estou", "estava", "tava", "to com", "to de", "to sem", "to no", "to na", "to em",
    "to meio", "to muito", "to super", "to morrendo", "to preso", "to presa", "to gripado",
    "to gripada", "to doente", "to cansado", "to cansada", "to exausto", "to exausta",
    "i feel", "i m feeling", "i got", "estoy", "estaba", "ando",
]
# Words after "I" that are no lasting first-person verb (auxiliaries, asking and thinking
# verbs, one-off pasts): "I bake bread for a living" is a fact, "I need…", "I broke…" not.
I_NOT_VERB = [
    "m", "am", "was", "would", "could", "can", "should", "need", "want", "think", "wonder",
    "guess", "hope", "know", "don", "didn", "do", "did", "will", "ll", "d", "ve", "just",
    "really", "also", "might", "may", "must", "feel", "got", "tried", "saw", "heard",
    "asked", "forgot", "lost", "broke", "had", "mean", "went", "came", "ate", "fell", "left",
    "made", "took", "caught", "hit", "cut", "ran", "found", "told", "said", "thought", "bought",
    "wish", "wanna", "gotta", "kinda", "suppose", "imagine", "am", "keep", "still", "always",
    "never", "only", "dont", "cant", "hv", "get", "see", "wonder", "bet", "swear", "promise",
]
# Words after "eu" / "yo" ending in -o that are no lasting first-person verb.
ROMANCE_NOT_VERB = [
    "acho", "quero", "preciso", "posso", "gostaria", "queria", "sei", "nao", "so", "mesmo",
    "tambem", "penso", "espero", "juro", "imagino", "suponho", "pergunto", "peco", "fico",
    "quiero", "necesito", "creo", "pienso", "puedo", "no", "solo", "tambien", "espero", "supongo",
    "imagino", "pregunto", "pido", "juro", "todo", "tudo", "mismo", "tanto", "pouco", "poco",
    "muito", "mucho", "ainda", "nunca", "sempre", "siempre", "ja", "ya",
]
# Possessives that open a clause about someone else ("meu enteado…", "my stepdad…").
POSSESSIVE = ["meu", "minha", "meus", "minhas", "my", "our", "mi", "mis", "nuestro", "nuestra"]

PHRASE_FEATURES = {
    "be": BE,
    "be_negated": BE_NEGATED,
    "fp_fact": FIRST_PERSON_FACT,
    "fp_taste": FIRST_PERSON_TASTE,
    "negated_fact": NEGATED_FACT,
    "hypothetical": HYPOTHETICAL,
    "roleplay": ROLEPLAY,
    "wish": WISH,
    "should": SHOULD,
    "third_person": THIRD_PERSON,
    "with_user": WITH_USER,
    "one_off": ONE_OFF,
    "standing": STANDING,
    "answer_style": ANSWER_STYLE,
    "temporary": TEMPORARY,
    "sarcasm": SARCASM,
    "pasted_task": PASTED_TASK,
    "fiction": FICTION,
    "passing": PASSING,
    "duration": DURATION,
    "first_person_words": FIRST_PERSON_WORDS,
    "remember": REMEMBER,
    "stop": STOP,
    "we": WE,
    "laugh": LAUGH,
    "possessive": POSSESSIVE,
    "ignorance": IGNORANCE,
    "own_possessive": OWN_POSSESSIVE,
    "fp_state": FP_STATE,
    "remind": REMIND,
    "i_not_verb": I_NOT_VERB,
    "romance_not_verb": ROMANCE_NOT_VERB,
}

"""Hand-written Spanish fragments for compose.py (see pools_pt.py for the layout)."""

DURABLE = [
    ("soy enfermera", "I"), ("trabajo de mesero en un restaurante", "I"), ("soy profe de primaria", "I"),
    ("soy contador", "I"), ("tengo una ferretería", "I"), ("estudio medicina", "I"),
    ("soy programadora, sobre todo Python", "I"), ("estoy jubilado", "I"), ("soy veterinario", "I"),
    ("me llamo Jimena", "I"), ("soy diseñador gráfico freelance", "I"), ("trabajo en una fábrica de autopartes", "I"),
    ("vivo en Valparaíso", "F"), ("tengo 41 años", "F"), ("tengo tres hijos", "F"), ("soy celíaca", "F"),
    ("soy alérgico a los frutos secos", "F"), ("vivo solo", "F"), ("tengo dos perros", "F"),
    ("me mudé a Monterrey el mes pasado", "F"), ("estoy casada", "F"), ("tengo hipertensión", "F"),
    ("hablo catalán y castellano", "F"), ("llevo un año aprendiendo alemán", "F"), ("vivo en un pueblo de Galicia", "F"),
    ("soy vegetariana", "P"), ("no tomo alcohol", "P"), ("soy hincha de Boca", "P"), ("uso Ubuntu", "P"),
    ("me encanta el senderismo", "P"), ("odio el cilantro", "P"), ("juego pádel los domingos", "P"),
    ("prefiero Java a C#", "P"), ("me gusta la salsa y el merengue", "P"), ("no como mariscos", "P"),
    ("prefiero respuestas cortas", "S"), ("me gustan las explicaciones con ejemplos", "S"),
]

OTHERS = [
    'mi madrastra es maestra jubilada', 'el novio de mi prima es DJ', 'mi padrastro tiene la presión alta', 'el perro de mi vecino ladra toda la noche', 'mi nueva jefa es chilena', 'mi ahijado ama los dinosaurios', 'la profe de mi hijo es muy estricta',
    "mi hermano es abogado", "mi jefa prefiere informes cortos", "mi compañero de piso es vegano",
    "mi mamá tiene diabetes", "mi cliente quiere una web en Shopify", "mi novio vive en Lima",
    "mi hijo tiene asma", "mi suegra no come gluten", "mi amiga es nutricionista",
    "mi papá es hincha del América", "mis alumnos tienen 12 años", "mi vecina da clases de guitarra",
    "mi esposo es médico", "mi abuela vive en Sevilla", "mi socio usa Windows", "mi prima trabaja en un banco",
    "mi compañera de trabajo es sorda", "mi hija estudia de noche",
]

TEMPORARY = [
    'me fracturé un dedo el mes pasado', 'pillé un virus estomacal', 'estoy encerrado en casa por la nieve', 'me duele muchísimo la garganta', 'mi reunión empieza en diez minutos', 'estoy unos días en casa de mi tía', 'estoy de guardia este finde',
    "hoy estoy muerta de sueño", "estoy resfriado esta semana", "estoy atascado en el tráfico",
    "estoy de vacaciones hasta el lunes", "tengo una entrevista en una hora", "me torcí el tobillo ayer",
    "tengo hambre ahora", "estoy en el aeropuerto", "mañana tengo examen", "hoy no tengo coche",
    "viajo a Bogotá la semana que viene", "estoy de guardia esta noche", "tengo resaca jaja",
]

HYPOTHETICAL = [
    "si yo fuera abogado", "supongamos que abro una panadería", "si viviera en Canadá",
    "imagínate que tengo una startup", "si me ganara la lotería", "si dejara mi trabajo",
]

PLANS_WISHES = [
    "ojalá pudiera vivir en la playa", "estoy pensando en estudiar enfermería", "¿debería aprender Rust",
    "quisiera ser piloto", "a lo mejor el año que viene empiezo a correr", "me gustaría mudarme a Madrid algún día",
    "estoy considerando hacerme vegano",
]

ONE_OFF = [
    'de las dos opciones, me quedo con la más corta', 'me gustó el último título que sugeriste', 'el segundo párrafo quedó mejor, déjalo', 'este puede ser muy informal', 'haz solo esta invitación graciosa',
    "responde esta en viñetas", "para este correo usa un tono formal", "me gusta más la segunda versión",
    "quédate con la opción B", "solo esta vez, menos de 100 palabras", "hazlo en una tabla esta vez",
    "en este chat contéstame en inglés", "la primera versión estaba mejor", "hoy quiero respuestas cortas",
]

IGNORANCE = [
    "no sé nada de criptomonedas, ¿qué es bitcoin?", "nunca estudié química, ¿qué es un mol?",
    "no entiendo nada de coches, ¿qué hace el embrague?", "ni idea de cómo funciona una hipoteca, ¿me explicas?",
    "no sé nada de vinos, ¿el malbec es dulce?", "soy nulo en informática, ¿qué es la nube?",
]

SARCASM = [
    "claro, soy chef profesional, se me quemó el arroz otra vez 🙃", "sí, soy millonaria jaja, tengo 3 euros",
    "obvio que soy deportista, me cansé subiendo la escalera 😂", "soy un genio, perdí las llaves otra vez 🤡",
    "claro que hablo francés, sé decir croissant jajaja", "soy súper madrugador, me desperté a mediodía jaja",
]

EXPLICIT = [
    "recuerda que soy alérgica a la penicilina", "acuérdate de que vivo en Rosario",
    "apunta esto: soy zurdo", "no olvides que trabajo de noche", "guárdalo: me llamo Andrés",
    "para que lo sepas, uso Mac", "ten en cuenta que soy ciego y uso lector de pantalla",
]

STYLE_NEG = [
    "deja de usar emojis en las respuestas", "deja de pedir perdón todo el rato", "no me llames señora",
    "no pongas más avisos de 'consulta a un profesional'", "deja de repetir mi pregunta",
    "basta de textos larguísimos, ve al grano", "no me tutees",
]

STYLE_STANDING = [
    "siempre respóndeme en español de España", "de ahora en adelante usa el sistema métrico",
    "a partir de ahora llámame Pepe", "siempre cita las fuentes", "háblame de tú, sin formalidades",
]

JOINT = [
    "mi esposa y yo vivimos en Mendoza", "mi marido y yo tenemos una panadería", "mi novia y yo somos veganos",
    "mi hermano y yo tenemos un taller", "mi pareja y yo tenemos tres gatos", "mis hijos y yo somos del Atleti",
]

BESIDE = [
    "mi hermana vive en Madrid y yo vivo en Valencia", "mi marido es ingeniero y yo soy arquitecta",
    "mi papá es del Madrid pero yo soy del Barça", "mi novio come de todo, yo soy vegetariana",
    "mis compañeros usan Windows, yo uso Linux", "mi esposa trabaja de día y yo de noche",
]

AFTER_OTHER = [
    ("Mi jefe es argentino. Yo soy colombiana", "F"),
    ("Mi socia lleva las ventas. Yo llevo la parte técnica, soy programador", "I"),
    ("A mi hija le encantan los gatos. Yo soy alérgico a ellos", "F"),
]

TASKS = [
    "¿me ayudas a planear el menú de la semana?", "¿qué portátil bueno hay por 700 euros?",
    "¿cómo hago un currículum llamativo?", "recomiéndame una novela de misterio", "¿cuánto tarda en cocerse el arroz integral?",
    "¿cómo organizo mis gastos del mes?", "explícame el interés compuesto", "escribe un correo pidiendo una reunión",
    "¿qué hago un domingo lluvioso?", "¿cómo quito una mancha de vino?", "¿me armas un viaje de 5 días?",
    "¿por qué falla esto?\n```python\nprint(len(5))\n```", "¿cómo hago un JOIN en SQL?", "sugiéreme una rutina de 20 minutos",
    "¿qué diferencia hay entre RAM y disco?", "¿qué peli veo hoy?", "¿cómo pido un aumento?", "dame una receta de tortilla",
    "¿cómo configuro git con SSH?", "¿cómo duermo mejor?",
]

SUB_BEFORE = ["Como {f}, {t}", "Ya que {f}, {t}", "¡Hola! {F}, {t}", "{F}. {T}", "{F} y {t}",
              "{F}, así que {t}", "Bueno, {f}... {t}", "Oye, {f}. {T}", "Dado que {f}, {t}"]
AFTER = ["{T} Para contexto: {f}.", "{T} (dato: {f})", "{T} Ah, y {f}.", "{T} Nota: {f}"]

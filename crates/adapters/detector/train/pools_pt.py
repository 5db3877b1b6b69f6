"""Hand-written Portuguese (pt-BR) fragments for compose.py: statements and tasks.

Durable statements are `(text, kind)` with kind I(dentity), S(tyle), P(reference),
F(act); they are written without a leading "eu" so they fit after "como", "já que".
Nothing here comes from shared/eval or from the held-out set (data/heldout.jsonl).
"""

DURABLE = [
    ("sou técnica de enfermagem", "I"), ("trabalho como motoboy de app", "I"),
    ("sou analista de dados numa seguradora", "I"), ("sou caminhoneiro", "I"),
    ("dou aula de história pro ensino médio", "I"), ("sou dentista", "I"),
    ("trabalho com suporte técnico", "I"), ("sou estagiário de direito", "I"),
    ("faço faculdade de engenharia civil", "I"), ("sou confeiteira e vendo bolo por encomenda", "I"),
    ("sou aposentado", "I"), ("tenho uma oficina mecânica", "I"), ("sou dev front-end", "I"),
    ("trabalho de garçom num bar", "I"), ("sou fisioterapeuta", "I"), ("sou tatuador", "I"),
    ("estou no doutorado em química", "I"), ("sou corretora de imóveis", "I"),
    ("meu nome é Thiago", "I"), ("me chamo Luana", "I"), ("sou agricultor familiar", "I"),
    ("moro em Uberlândia", "F"), ("moro sozinho num kitnet", "F"), ("tenho 34 anos", "F"),
    ("tenho dois filhos pequenos", "F"), ("sou diabético tipo 1", "F"),
    ("tenho intolerância a lactose", "F"), ("sou alérgica a amendoim", "F"),
    ("tenho TDAH", "F"), ("moro no interior de Minas", "F"), ("tenho um gato chamado Pipoca", "F"),
    ("sou casada", "F"), ("moro em Lisboa há três anos", "F"), ("tenho asma", "F"),
    ("trabalho de madrugada", "F"), ("sou daltônico", "F"), ("falo inglês e alemão", "F"),
    ("estou aprendendo violão faz uns meses", "F"), ("tenho uma cachorra idosa", "F"),
    ("me mudei pra Florianópolis mês passado", "F"), ("sou surdo", "F"),
    ("moro com meus pais", "F"), ("uso cadeira de rodas", "F"),
    ("sou vegetariano", "P"), ("não bebo álcool", "P"), ("torço pro Grêmio", "P"),
    ("uso Linux no dia a dia", "P"), ("prefiro Python a Java", "P"), ("adoro trilhas", "P"),
    ("jogo vôlei aos sábados", "P"), ("curto muito rock dos anos 80", "P"),
    ("odeio coentro", "P"), ("só uso iPhone", "P"), ("não como carne de porco", "P"),
    ("gosto de cozinhar comida japonesa", "P"), ("sou fã de Star Wars", "P"),
    ("uso o Neovim pra programar", "P"), ("corro de manhã quase todo dia", "P"),
    ("prefiro respostas curtas", "S"), ("gosto de explicações com exemplo prático", "S"),
    ("prefiro que você me trate por você", "S"),
]

# Facts about someone else (not the user), even with "meu"/"minha".
OTHERS = [
    'minha madrasta é professora aposentada', 'o namorado da minha prima é DJ', 'meu padrasto tem pressão alta', 'o cachorro do meu vizinho late a noite toda', 'minha chefe nova é portuguesa', 'meu afilhado adora dinossauro', 'minha colega de faculdade é mãe solo', 'o pessoal lá do escritório só usa planilha', 'a professora do meu filho é muito rígida', 'meu tio tem uma chácara em Atibaia',
    "meu irmão é advogado", "minha mãe tem diabetes", "minha chefe prefere relatório curto",
    "meu colega de quarto é vegano", "minha namorada mora em Recife",
    "meu sócio torce pro Flamengo", "meu filho tem autismo", "minha sogra não come glúten",
    "meu cliente quer um site em WordPress", "minha vizinha dá aula de piano",
    "meu pai é aposentado da Petrobras", "minha amiga é nutricionista",
    "o pessoal do meu time usa Java", "minha tia mora em Portugal",
    "meu primo trabalha com marketing", "minha esposa é médica",
    "meu gerente odeia reunião longa", "a dona da loja aqui da esquina é bem chata",
    "minha afilhada faz 8 anos", "meu cunhado é celíaco", "minha filha estuda de manhã",
    "meu avô tem Alzheimer", "minha colega de trabalho é surda",
    "meu namorado é fã de anime", "minha orientadora é super exigente",
    "os meus alunos têm uns 15 anos", "minha cliente é alérgica a frutos do mar",
    "minha irmã mais nova é vegetariana", "meu amigo Caio programa em Go",
    "o marido da minha amiga é piloto",
]

TEMPORARY = [
    'fraturei o dedo mês passado e tô de tala', 'peguei uma virose', 'tô ilhado em casa por causa da chuva', 'tô com a garganta inflamada', 'minha reunião começa em dez minutos', 'tô passando uns dias na casa da minha tia', 'tô de plantão esse fim de semana', 'tô sem luz desde cedo', 'tô num Airbnb em Ouro Preto até domingo', 'fiquei sem bateria no carro',
    "tô morrendo de sono hoje", "tô gripado essa semana", "estou de férias até sexta",
    "torci o pé ontem", "tô preso no aeroporto", "tenho uma entrevista daqui a pouco",
    "tô com uma dor de cabeça horrível agora", "essa semana tô trabalhando de casa",
    "tô sem internet em casa hoje", "tô esperando o ônibus", "amanhã tenho prova de cálculo",
    "acabei de acordar", "tô com fome", "viajo pra Salvador semana que vem",
    "hoje é meu plantão", "tô num hotel em BH por causa de um congresso",
    "tô estressado com o prazo de amanhã", "meu voo atrasou", "tô de ressaca",
    "hoje eu tô sem carro", "tenho uma apresentação em uma hora", "tô no celular agora",
]

HYPOTHETICAL = [
    "se eu fosse morar no Canadá", "se eu abrisse uma padaria", "supondo que eu tivesse filhos",
    "se eu largasse tudo pra viajar", "imagina que eu sou dono de uma startup",
    "se eu ganhasse na loteria", "caso eu vire freelancer um dia",
    "se eu fosse vegano", "e se eu mudasse pra Portugal",
]

PLANS_WISHES = [
    "quem me dera ser rico", "queria muito ser chef de cozinha", "tô pensando em fazer medicina",
    "será que eu devo largar o emprego", "ano que vem talvez eu comece a correr",
    "um dia quero morar na praia", "tô pensando em adotar um cachorro",
    "meu sonho é ser piloto", "vou tentar virar vegetariano em janeiro",
    "estou cogitando fazer um mestrado", "penso em aprender japonês algum dia",
]

ONE_OFF = [
    'das duas opções, fico com a mais curta', 'gostei do título que você sugeriu por último', 'o segundo parágrafo ficou melhor, mantém ele', 'essa pode ser bem informal', 'usa um tom engraçado só nesse convite', 'melhor a versão sem emoji',
    "responde essa em tópicos", "só nessa resposta usa linguagem formal",
    "dessa vez seja bem breve", "pra esse e-mail usa um tom mais sério",
    "gostei mais da segunda versão", "fica com a opção B", "faz essa em forma de tabela",
    "nessa conversa me responde em inglês", "escreve esse post em tom descontraído",
    "resume em três linhas, por favor", "hoje quero respostas bem curtas",
    "manda em lista numerada", "prefiro o primeiro rascunho", "refaz sem o último parágrafo",
]

IGNORANCE = [
    "não entendo nada de criptomoeda, o que é blockchain?",
    "nunca estudei física, o que é entropia?", "não manjo nada de carro, o que é câmbio CVT?",
    "sou leigo em direito, o que é usucapião?", "não sei nada de vinho, qual a diferença entre merlot e cabernet?",
    "não faço ideia de como funciona a bolsa, me explica?",
    "nunca entendi futebol americano, como funciona a pontuação?",
    "não sei o que é uma API REST, explica pra leigo?",
    "confesso que não sei nada de jardinagem, quando se poda roseira?",
]

SARCASM = [
    "claro, eu sou o presidente da república kkkk", "sou praticamente um chef, queimei o arroz de novo 🙃",
    "ah sim, sou super organizado, por isso perdi a chave pela terceira vez 🤡",
    "sou um gênio das finanças, tô no cheque especial kkkk",
    "óbvio que sou atleta, subi uma escada e quase morri 😂",
    "eu, um exemplo de disciplina, acordei meio-dia de novo kkk",
    "sou o rei da cozinha, meu miojo ficou cru 🙄",
    "claro que sou fluente em francês, sei dizer croissant 😂",
    "minha dieta é perfeita, comi uma pizza inteira sozinho kkkk",
]

EXPLICIT = [
    "lembra que eu sou alérgico a dipirona", "anota aí: moro em Joinville",
    "guarda essa: sou canhoto", "não esquece que eu trabalho à noite",
    "grava aí que eu não como glúten", "pra você lembrar: meu nome é Renata",
    "memoriza que eu uso Mac", "lembra disso pras próximas: tenho dois cachorros",
    "fica registrado que eu sou professor de química",
    "toma nota: sou torcedora do Bahia", "só pra você saber, sou cega e uso leitor de tela",
]

STYLE_NEG = [
    "para de usar emoji nas respostas", "não precisa ficar pedindo desculpa toda hora",
    "chega de textão, vai direto ao ponto", "para de me chamar de senhor",
    "não quero mais aviso de 'consulte um profissional' no fim",
    "deixa de repetir minha pergunta antes de responder", "não me responde mais em inglês",
    "para de colocar resumo no final de tudo", "não usa gíria comigo",
    "para de encher as respostas de negrito",
]

STYLE_STANDING = [
    "sempre me responde em português de Portugal", "a partir de agora usa unidades métricas",
    "daqui pra frente me chama de Gabi", "sempre coloca as fontes no fim",
    "de agora em diante, código sempre com comentários", "me explica as coisas sempre passo a passo",
    "fala comigo de um jeito mais informal, sem formalidade",
]

JOINT = [
    "eu e minha esposa moramos em Niterói", "eu e meu marido temos um restaurante",
    "minha namorada e eu somos veganos", "eu e meu irmão temos uma loja de roupa",
    "eu e minha mãe moramos juntas em Goiânia", "nós dois somos professores, eu e meu noivo",
    "eu e meus filhos torcemos pro Inter", "meu parceiro e eu temos três gatos",
    "eu e meu sócio temos uma agência de marketing", "eu e minha mulher não comemos carne",
]

BESIDE = [
    "minha irmã mora em São Paulo e eu moro em Curitiba",
    "meu marido é engenheiro e eu sou arquiteta",
    "meu pai é palmeirense mas eu sou corinthiano",
    "minha mãe come de tudo, eu sou vegetariana",
    "meus colegas usam Windows, eu uso Linux",
    "meu filho mora em Londres, eu continuo em Belo Horizonte",
    "minha esposa trabalha de dia e eu trabalho de noite",
    "meu irmão é médico; eu sou enfermeiro",
    "minha namorada ama praia, eu prefiro montanha",
]

# A durable fact of the user stated after a sentence about someone else.
AFTER_OTHER = [
    ("Meu chefe é gaúcho. Eu sou pernambucano", "F"),
    ("Minha sócia cuida das vendas. Eu cuido da parte técnica, sou programador", "I"),
    ("Minha filha adora cachorro. Eu tenho alergia a pelo de gato", "F"),
    ("Meu melhor amigo é flamenguista. Eu torço pro Vasco", "P"),
]

TASKS = [
    "me ajuda a montar um cardápio pra semana?", "qual celular bom até 2 mil reais?",
    "como faço um currículo que chame atenção?", "me indica um livro de ficção científica",
    "quanto tempo cozinha grão-de-bico na pressão?", "como organizo minhas finanças do mês?",
    "me explica o que é juros compostos", "escreve um e-mail pedindo reunião com o RH",
    "o que fazer num fim de semana chuvoso?", "como tirar mancha de café do sofá?",
    "me ajuda a planejar uma viagem de 5 dias?", "qual a melhor forma de estudar pra concurso?",
    "como funciona o imposto de renda pra autônomo?", "me dá ideias de presente de aniversário",
    "por que esse código dá erro?\n```python\nfor i in range(10)\n    print(i)\n```",
    "como eu faço um SELECT com JOIN no Postgres?", "me sugere um treino de 30 minutos",
    "explica a diferença entre HTTP e HTTPS", "qual filme você recomenda pra hoje?",
    "me ajuda a escrever uma legenda pro Instagram?", "como negociar um aumento?",
    "que planta aguenta apartamento com pouca luz?", "me passa uma receita de bolo de cenoura",
    "como configuro o git pra usar SSH?", "quais documentos preciso pra tirar passaporte?",
    "o que é um bom café da manhã?", "me explica o deploy com docker compose, pls",
    "como melhorar meu sono?", "sugere um nome pra minha loja", "tem dica pra falar em público?",
]

# Connectors: a durable fact (or a look-alike) before, inside or after the request.
SUB_BEFORE = ["Como {f}, {t}", "Já que {f}, {t}", "Oi! {F}, {t}", "{F}. {T}", "{F} e {t}",
              "{F}, então {t}", "Bom, {f}... {t}", "Olha, {f}. {T}", "Visto que {f}, {t}"]
AFTER = ["{T} Pra contexto: {f}.", "{T} (detalhe: {f})", "{T} Ah, {f}.", "{T} Obs: {f}"]

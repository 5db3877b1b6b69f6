"""The bench's own stack: a fresh PostgreSQL database, MongoDB database and Redis key
prefix (created here, dropped at the end, so dev data is never touched), the mock
upstream, the service, and the HTTP calls that seed users and chats."""

import concurrent.futures
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where cargo put the release binaries (a worktree may share another's target dir).
RELEASE = (ROOT / os.environ.get("CARGO_TARGET_DIR", "target")).resolve() / "release"
PASSWORD = "bench-password-1"
TICK = os.sysconf("SC_CLK_TCK")


def stat_cpu(stat):
    """User+system CPU seconds from the text of a /proc/<pid>/stat."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def process_cpu(pid):
    """User+system CPU seconds a process has used so far."""
    return stat_cpu(Path(f"/proc/{pid}/stat").read_text())


def tree_cpu(pid):
    """User+system CPU seconds of a process and all its descendants so far."""
    stats, children = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            stats[int(entry.name)] = stat
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stat_cpu(stats[current]) if current in stats else 0.0
        todo += children.get(current, [])
    return total


def dotenv():
    """The project's .env, by the rules of crates/app/src/dotenv.rs (those of
    deploy/local/with-env.sh too); the environment wins."""
    values = {}
    path = ROOT / ".env"
    if path.exists():
        for number, line in enumerate(path.read_text().split("\n"), 1):
            line = line.removesuffix("\r")
            if not line.lstrip(" \t") or line.lstrip(" \t").startswith("#"):
                continue
            if "=" not in line:
                raise SystemExit(f"{path} line {number}: expected NAME=value")
            name, value = line.split("=", 1)
            name, value = name.strip(" \t"), value.strip(" \t")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise SystemExit(f"{path} line {number}: the name must be letters, digits and _, not starting with a digit")
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[name] = value
    values.update({k: v for k, v in os.environ.items() if k in values or k.endswith("_URL")})
    return values


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds}s")


def call(base, method, path, body=None, token=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            text = r.read()
            return r.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


class Stack:
    def __init__(self, run_id, workdir):
        self.run_id = run_id
        self.workdir = workdir
        self.env = dotenv()
        base_pg = self.env.get("DATABASE_URL", "postgres://polychat:polychat@127.0.0.1:5432/polychat")
        self.admin_pg = base_pg
        self.pg_url = re.sub(r"/[^/?]*(\?|$)", f"/{run_id}\\1", base_pg.split("://", 1)[1], count=1)
        self.pg_url = base_pg.split("://", 1)[0] + "://" + self.pg_url
        self.mongo_url = self.env.get("MONGODB_URL", "mongodb://127.0.0.1:27017")
        self.redis_url = self.env.get("REDIS_URL", "redis://127.0.0.1:6379")
        self.mock_port = free_port()
        self.app_port = free_port()
        self.mock = None
        self.app = None

    # --- lifecycle -----------------------------------------------------------------
    def psql(self, url, sql, capture=False):
        out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
                             check=True, capture_output=True, text=True)
        return out.stdout if capture else None

    def create(self):
        self.psql(self.admin_pg, f'CREATE DATABASE "{self.run_id}"')

    def start_mock(self):
        log = open(self.workdir / "mock.log", "w")
        self.mock = subprocess.Popen(
            [str(RELEASE / "mock-upstream"), "--addr", f"127.0.0.1:{self.mock_port}"],
            stdout=log, stderr=log)
        wait_http(f"http://127.0.0.1:{self.mock_port}/health")

    def app_env(self, bcrypt_cost, extra=None):
        env = dict(os.environ)
        env.update({k: v for k, v in self.env.items() if k in ("APP_MASTER_KEY", "JWT_SECRET")})
        env.update({
            "HTTP_ADDR": f"127.0.0.1:{self.app_port}",
            "DATABASE_URL": self.pg_url,
            "MONGODB_URL": self.mongo_url,
            "MONGODB_DATABASE": self.run_id,
            "REDIS_URL": self.redis_url,
            "REDIS_KEY_PREFIX": self.run_id,
            "OPENROUTER_BASE_URL": f"http://127.0.0.1:{self.mock_port}/api/v1",
            # The mock also serves embeddings: the Python embeddings server would
            # otherwise be what is measured (scenario 5 measures it on its own).
            "EMBEDDINGS_BASE_URL": f"http://127.0.0.1:{self.mock_port}/v1",
            "BCRYPT_COST": str(bcrypt_cost),
            "ALLOW_WEAK_PASSWORD_HASHING": "true",
            # Scenario 9's custom model calls the mock (on loopback) as its webhook.
            "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "LOG_FORMAT": "json",
        })
        env.update(extra or {})
        return env

    def grant_admin(self, username):
        subprocess.run([str(RELEASE / "polychat"), "admin", "grant", username], env=self.app_env(12),
                       check=True, cwd=self.workdir, stdout=subprocess.DEVNULL)

    def migrate(self):
        subprocess.run([str(RELEASE / "polychat"), "migrate"], env=self.app_env(12), check=True,
                       cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_app(self, bcrypt_cost, env=None):
        """(Re)starts the service; `env` overrides settings (e.g. the real embeddings)."""
        self.stop_app()
        log = open(self.workdir / f"app-cost{bcrypt_cost}{'-env' if env else ''}.log", "a")
        self.app = subprocess.Popen([str(RELEASE / "polychat"), "serve"], cwd=self.workdir,
                                    env=self.app_env(bcrypt_cost, env), stdout=log, stderr=log)
        wait_http(f"{self.base}/health")

    def stop_app(self):
        if self.app and self.app.poll() is None:
            self.app.terminate()
            try:
                self.app.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.app.kill()
        self.app = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def mock_base(self):
        return f"http://127.0.0.1:{self.mock_port}"

    def teardown(self):
        self.stop_app()
        if self.mock and self.mock.poll() is None:
            self.mock.terminate()
            self.mock.wait(timeout=10)
        for step in (
            lambda: self.psql(self.admin_pg, f'DROP DATABASE IF EXISTS "{self.run_id}" WITH (FORCE)'),
            lambda: subprocess.run([str(RELEASE / "bench-tool"), "drop-mongo", "--mongodb-url",
                                    self.mongo_url, "--database", self.run_id], check=True),
            lambda: subprocess.run(
                ["bash", "-c", f"redis-cli -u '{self.redis_url}' --scan --pattern '{self.run_id}:*'"
                 f" | xargs -r -n 500 redis-cli -u '{self.redis_url}' del > /dev/null"], check=True),
        ):
            try:
                step()
            except Exception as e:  # cleanup goes on; the report says what was left
                print(f"bench: cleanup step failed: {e}")

    # --- seeding -------------------------------------------------------------------
    def user(self, name):
        """Registers and logs in one user; returns (user id, access token)."""
        status, profile = call(self.base, "POST", "/register", {
            "username": name, "password": PASSWORD, "openrouter_api_key": "sk-mock-bench"})
        if status != 201:
            raise RuntimeError(f"register {name}: {status} {profile}")
        status, tokens = call(self.base, "POST", "/login", {"username": name, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"login {name}: {status} {tokens}")
        return profile["id"], tokens["access_token"]

    def users(self, prefix, count):
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            return list(pool.map(self.user, [f"{prefix}{i}" for i in range(count)]))

    def new_chat(self, token, prompt="Hello there, how are you?"):
        status, turn = call(self.base, "POST", "/chat", {"prompt": prompt, "model": "mock/seed"}, token)
        if status != 200:
            raise RuntimeError(f"POST /chat: {status} {turn}")
        return turn["chat_id"]

    def seed_chat(self, owner, chat_id, messages, ids_out):
        subprocess.run([str(RELEASE / "bench-tool"), "seed-chat", "--mongodb-url", self.mongo_url,
                        "--database", self.run_id, "--owner", owner, "--chat", chat_id,
                        "--messages", str(messages), "--ids-out", str(ids_out)], check=True)
        return [l for l in ids_out.read_text().splitlines() if l]

    def seed_preferences(self, users, per_user):
        """Users and random unit-ish vectors straight into PostgreSQL (real embeddings of
        10,000 texts would take the Python model minutes); the HNSW index is built after."""
        self.psql(self.pg_url, f"""
            INSERT INTO users (id, username, username_canonical, password_hash, created_at, updated_at)
            SELECT gen_random_uuid(), 'mem' || i, 'mem' || i, 'x', now(), now()
            FROM generate_series(1, {users}) AS i;
            DROP INDEX IF EXISTS user_preferences_embedding_idx;
            INSERT INTO user_preferences (id, user_id, text, kind, embedding, created_at, updated_at)
            SELECT gen_random_uuid(), u.id, 'preference ' || j || ' of ' || u.username,
                   (ARRAY['identity','style','preference','fact'])[1 + j % 4],
                   ARRAY(SELECT random() - 0.5 + j * 0 FROM generate_series(1, 384))::vector(384),
                   now() - j * interval '1 minute', now()
            FROM users u CROSS JOIN generate_series(1, {per_user}) AS j
            WHERE u.username LIKE 'mem%';
            CREATE INDEX user_preferences_embedding_idx
                ON user_preferences USING hnsw (embedding vector_cosine_ops);
            ANALYZE user_preferences;""")
        ids = self.psql(self.pg_url, "SELECT id FROM users WHERE username LIKE 'mem%'", capture=True)
        path = self.workdir / "memory-users.txt"
        path.write_text(ids)
        count = self.psql(self.pg_url, "SELECT count(*) FROM user_preferences", capture=True).strip()
        return path, int(count)

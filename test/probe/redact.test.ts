import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSecretName, redactArgv, redactText, redactUrls } from "../../probe/redact.js";

// [input, expected]: whole command lines as `ps` would show them.
const MASKED: [string, string][] = [
  ["python -m pytest tests/ --token=abc123", "python -m pytest tests/ --token=***"],
  ["python -m pytest tests/ --token abc123 -x", "python -m pytest tests/ --token *** -x"],
  [
    "pytest --password=hunter2 --passwd hunter2 --secret s3 --api-key k1 --apikey k2",
    "pytest --password=*** --passwd *** --secret *** --api-key *** --apikey ***",
  ],
  ["aws s3 ls --access-key AKIA123 --secret-key abc/def+ghi", "aws s3 ls --access-key *** --secret-key ***"],
  [
    "az login --service-principal -u app --client-secret 's3cr3t value' --tenant t",
    "az login --service-principal -u app --client-secret '*** ***' --tenant t",
  ],
  ["tool --auth user:pw --auth-token=tkn --github-token ghp_x", "tool --auth *** --auth-token=*** --github-token ***"],
  [
    "docker run -e SECRET_KEY=abc -e DEBUG=1 -e GITHUB_TOKEN --env=NPM_TOKEN=xyz img pytest",
    "docker run -e SECRET_KEY=*** -e DEBUG=1 -e GITHUB_TOKEN --env=NPM_TOKEN=*** img pytest",
  ],
  [
    "docker run --rm -e POSTGRES_PASSWORD=pg -e OPENAI_API_KEY=sk-abc -e AWS_SECRET_ACCESS_KEY=xyz img",
    "docker run --rm -e POSTGRES_PASSWORD=*** -e OPENAI_API_KEY=*** -e AWS_SECRET_ACCESS_KEY=*** img",
  ],
  [
    "docker build --build-arg NPM_TOKEN=abc --build-arg VERSION=1.2 .",
    "docker build --build-arg NPM_TOKEN=*** --build-arg VERSION=1.2 .",
  ],
  [
    "env PGPASSWORD=pw DB_PASS=pw2 HF_TOKEN=hf_x apiKey=k python run.py",
    "env PGPASSWORD=*** DB_PASS=*** HF_TOKEN=*** apiKey=*** python run.py",
  ],
  ["SECRET_KEY_BASE=abc rails s", "SECRET_KEY_BASE=*** rails s"],
  ["psql postgresql://app:hunter2@db:5432/app -c 'select 1'", "psql postgresql://app:***@db:5432/app -c 'select 1'"],
  ["python manage.py test --db=postgres://u:p%40ss@db/test", "python manage.py test --db=postgres://u:***@db/test"],
  ["DATABASE_URL=mysql://root:toor@127.0.0.1:3306/db pytest", "DATABASE_URL=mysql://root:***@127.0.0.1:3306/db pytest"],
  ["redis-cli -u redis://:redispw@cache:6379/0", "redis-cli -u redis://:***@cache:6379/0"],
  [
    "mongosh mongodb+srv://admin:pa:ss@cluster0.example.net/db",
    "mongosh mongodb+srv://admin:***@cluster0.example.net/db",
  ],
  [
    "git clone https://x-access-token:ghs_abc123@github.com/org/repo.git",
    "git clone https://x-access-token:***@github.com/org/repo.git",
  ],
  [
    "git clone https://oauth2:glpat-abcdef@gitlab.example.com/g/r.git",
    "git clone https://oauth2:***@gitlab.example.com/g/r.git",
  ],
  [
    "git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/org/repo",
    "git clone https://***@github.com/org/repo",
  ],
  ["git fetch https://glpat-xyz@gitlab.com/g/r", "git fetch https://***@gitlab.com/g/r"],
  [
    "curl -H 'Authorization: Bearer eyJhbGciOi.abc.def' https://api.example.com/v1",
    "curl -H 'Authorization: Bearer ***' https://api.example.com/v1",
  ],
  [
    'curl -H "Authorization: token ghp_abc" https://api.github.com',
    'curl -H "Authorization: token ***" https://api.github.com',
  ],
  ["curl -H 'Authorization: Basic dXNlcjpwYXNz' http://x", "curl -H 'Authorization: Basic ***' http://x"],
  [
    "curl -H 'X-Api-Key: k123' -H 'PRIVATE-TOKEN: glpat-1' -H 'Accept: text/plain' http://x",
    "curl -H 'X-Api-Key: ***' -H 'PRIVATE-TOKEN: ***' -H 'Accept: text/plain' http://x",
  ],
  ["curl -H Cookie:session=abc http://x", "curl -H Cookie:*** http://x"],
  ["curl -u admin:s3cret https://x/api", "curl -u admin:*** https://x/api"],
  ["/usr/bin/curl --user deploy:pw http://x", "/usr/bin/curl --user deploy:*** http://x"],
  ["wget --header=Authorization: Bearer abc http://x", "wget --header=Authorization: Bearer *** http://x"],
  ["some-client Bearer abc.def", "some-client Bearer ***"],
  ["mysql -uroot -pS3cret -h db app", "mysql -uroot -p*** -h db app"],
  [
    "java -Djavax.net.ssl.keyStorePassword=changeit -Dspring.datasource.password=pw -Dserver.port=8080 -jar app.jar",
    "java -Djavax.net.ssl.keyStorePassword=*** -Dspring.datasource.password=*** -Dserver.port=8080 -jar app.jar",
  ],
  ["curl https://hooks.example.com/x?token=abc&page=2", "curl https://hooks.example.com/x?token=***&page=2"],
  ["az storage blob download --sas 'sv=2020&sig=abc%2Bdef'", "az storage blob download --sas '***'"],
  [
    "curl 'https://acct.blob.core.windows.net/c/f?sv=2020&sig=abc%2Bdef&se=2026'",
    "curl 'https://acct.blob.core.windows.net/c/f?sv=2020&sig=***&se=2026'",
  ],
  ['tool --secret="two words" --verbose', 'tool --secret="*** ***" --verbose'],
  ["bash -c \"mysql --password hunter2 -e 'select 1'\"", "bash -c \"mysql --password *** -e 'select 1'\""],
];

// Command lines with nothing secret in them: every word must survive.
const KEPT: string[] = [
  "python -m pytest tests/ -k 'token and not slow' -x",
  "pytest tests/test_auth.py::test_login[password=abc] tests/test_tokens.py::test_refresh_token",
  "pytest -k test_api_key_rotation --keyword secret_scanning -p no:cacheprovider",
  "pytest --password-file /run/secrets/pg --token-file=/run/secrets/gh --secret-name ci-secret",
  "docker login --password-stdin -u ci",
  "psql --no-password -h db -U app app",
  "TOKENIZERS_PARALLELISM=false KEYBOARD=us SSH_AUTH_SOCK=/tmp/ssh-x/agent.1 GIT_ASKPASS=/usr/bin/askpass pytest",
  "git clone ssh://git@github.com/org/repo.git",
  "git clone git@github.com:org/repo.git",
  "git log --author=alice --format=%H",
  "curl -H 'Accept: application/json' https://user@example.com/path?page=2&sort=asc",
  "curl --key client.pem --cert client.crt https://x",
  "sort --key=2 --sort-key name file.txt",
  "python -u -m pytest -p xdist -n 4",
  "docker run -u 1000:1000 -p 8080:80 -e GITHUB_TOKEN img",
  "ssh -i /home/ci/.ssh/id_ed25519 -p 2222 ci@host",
  "python train.py --max-tokens 4096 --token-ttl 3600",
  "node dist/probe.js --port=8787",
  "/usr/lib/postgresql/16/bin/postgres -D /var/lib/postgresql/data",
  "",
];

describe("redactText masks secrets in real-looking command lines", () => {
  it.each(MASKED)("%s", (input, want) => {
    expect(redactText(input)).toBe(want);
  });
});

describe("redactText keeps what is not a secret", () => {
  it.each(KEPT.map((k) => [k]))("%s", (input) => {
    expect(redactText(input)).toBe(input);
  });
  it("keeps the spacing of the text", () => {
    expect(redactText("  a\t--token  x\n b ")).toBe("  a\t--token  ***\n b ");
  });
});

describe("redactArgv", () => {
  it("masks the next element whole, spaces and all", () => {
    expect(redactArgv(["pytest", "--password", "correct horse battery", "tests/"])).toEqual([
      "pytest",
      "--password",
      "***",
      "tests/",
    ]);
  });
  it("does not take the next flag for a missing value", () => {
    expect(redactArgv(["tool", "--token", "--verbose", "x"])).toEqual(["tool", "--token", "--verbose", "x"]);
    expect(redactArgv(["tool", "--token"])).toEqual(["tool", "--token"]);
  });
  it("redacts inside an element that holds a whole script or header", () => {
    expect(redactArgv(["curl", "-H", "Authorization: Bearer abc", "https://x"])).toEqual([
      "curl",
      "-H",
      "Authorization: Bearer ***",
      "https://x",
    ]);
    expect(redactArgv(["sh", "-c", "PGPASSWORD=pw psql -h db"])).toEqual(["sh", "-c", "PGPASSWORD=*** psql -h db"]);
    expect(redactArgv(["python -m pytest tests/ --token=abc", "30"])).toEqual([
      "python -m pytest tests/ --token=***",
      "30",
    ]);
  });
  it("carries a header across elements split by the shell", () => {
    expect(redactArgv(["curl", "-H", "Authorization:", "Bearer", "abc", "x"])).toEqual([
      "curl",
      "-H",
      "Authorization:",
      "Bearer",
      "***",
      "x",
    ]);
  });
  it("leaves a harmless argv as it is", () => {
    const argv = ["python", "-m", "pytest", "-k", "token and not password", "tests/", ""];
    expect(redactArgv(argv)).toEqual(argv);
  });
  it("never leaves a value of a MASKED line in the argv form", () => {
    for (const [input] of MASKED) {
      const out = redactArgv(input.split(" ")).join(" ");
      for (const secret of [
        "abc123",
        "hunter2",
        "s3cret",
        "ghs_abc123",
        "toor",
        "redispw",
        "changeit",
        "dXNlcjpwYXNz",
      ]) {
        if (input.includes(secret)) expect(out, input).not.toContain(secret);
      }
    }
  });
});

describe("isSecretName and redactUrls", () => {
  it.each([
    ["--password", true],
    ["--api-key", true],
    ["--apiKey", true],
    ["--key", false],
    ["GITHUB_TOKEN", true],
    ["STRIPE_KEY", true],
    ["--keyword", false],
    ["KEYBOARD", false],
    ["TOKENIZERS_PARALLELISM", false],
    ["--no-password", false],
    ["--password-file", false],
    ["clientSecret", true],
    ["--author", false],
    ["X-Api-Key", true],
    ["Idempotency-Key", false],
    ["session_cookie", true],
  ] as const)("%s → %s", (name, want) => {
    // env-style names treat a bare KEY as secret; flags and headers need a qualifier
    const strict = name.startsWith("-") || name.includes("-");
    expect(isSecretName(name, strict)).toBe(want);
  });
  it("keeps a URL without credentials byte for byte", () => {
    const u = "https://example.com:8443/a/b?x=1&y=two#frag";
    expect(redactUrls(u)).toBe(u);
  });
});

describe("no secret survives, whatever its value (property)", () => {
  const TEMPLATES: ((v: string) => string)[] = [
    (v) => `python -m pytest tests/ --token=${v} -x`,
    (v) => `python -m pytest --password ${v} tests/`,
    (v) => `docker run -e GITHUB_TOKEN=${v} img`,
    (v) => `psql postgres://app:${v}@db:5432/app`,
    (v) => `git clone https://x-access-token:${v}@github.com/o/r.git`,
    (v) => `curl -H 'Authorization: Bearer ${v}' https://x`,
    (v) => `curl -H "X-Api-Key: ${v}" https://x`,
    (v) => `java -Dapp.secret=${v} -jar a.jar`,
    (v) => `curl 'https://x/y?access_token=${v}&a=1'`,
  ];
  // a marker that appears nowhere in the templates, then anything a token may hold
  const value = fc.stringMatching(/^[A-Za-z0-9_.+:=-]{4,40}$/).map((v) => `Zq${v}`);

  it("redactText", () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: TEMPLATES.length - 1 }), (v, i) => {
        expect(redactText(TEMPLATES[i]!(v))).not.toContain(v);
      }),
      { numRuns: 500 },
    );
  });

  it("redactArgv", () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: TEMPLATES.length - 1 }), (v, i) => {
        const argv = TEMPLATES[i]!(v).split(" ");
        expect(redactArgv(argv).join(" ")).not.toContain(v);
      }),
      { numRuns: 500 },
    );
  });
});

// Adversarial command lines: the characters the redaction rules key on, in every order.
const HOSTILE_BITS = [
  "?",
  "&",
  "=",
  ";",
  "://",
  "'",
  '"',
  "`",
  "(",
  ")",
  ",",
  "@",
  ":",
  "-",
  "--",
  "--a=",
  "-D",
  "a",
  "x",
  "token",
  "password",
  "Bearer",
  "Authorization:",
  "http",
  " ",
  "--token ",
  "A_TOKEN=",
];
const hostile = fc.array(fc.constantFrom(...HOSTILE_BITS), { maxLength: 30 }).map((b) => b.join(""));
// The same without the words that make the *next* word a secret (`Bearer`, `--token `), which
// would rightly mask the value's flag itself.
// (`token:` is a header name too.)
const PENDING = new Set(["Bearer", "Authorization:", "--token ", "--", ":"]);
const neutral = fc
  .array(fc.constantFrom(...HOSTILE_BITS.filter((b) => !PENDING.has(b))), { maxLength: 30 })
  .map((b) => b.join(""));

describe("redaction on hostile command lines", () => {
  it("gives the same output as the reference (regex) implementation on short inputs", async () => {
    const ref = await import("./redact-reference.js");
    fc.assert(
      fc.property(hostile, (s) => {
        expect(redactText(s)).toBe(ref.redactText(s));
        expect(redactUrls(s)).toBe(ref.redactUrls(s));
        expect(redactArgv(s.split(" "))).toEqual(ref.redactArgv(s.split(" ")));
      }),
      { numRuns: 3000 },
    );
  });

  it("masks every secret of a generated command line, however hostile the text around it", () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((s) => `S3cr${s}`);
    fc.assert(
      fc.property(neutral, secret, hostile, (before, value, after) => {
        for (const line of [
          `${before} --password ${value} ${after}`,
          `${before} --api-key=${value} ${after}`,
          `${before} DB_PASSWORD=${value} ${after}`,
          `${before} https://u:${value}@host/x?a=1 ${after}`,
          `${before} http://h/p?token=${value}&b=2 ${after}`,
          `${before} -H 'Authorization: Bearer ${value}' ${after}`,
        ])
          expect(redactText(line)).not.toContain(value);
      }),
      { numRuns: 500 },
    );
  });

  it("handles 128 KiB of each adversarial shape in one pass (no stack overflow, no hang)", () => {
    const n = 128 * 1024;
    const shapes = [
      "pytest http://x" + "?a".repeat(n / 2),
      "pytest http://x?" + "&a=b".repeat(n / 4),
      "x://" + "a".repeat(n) + ":",
      "Authorization:" + "'".repeat(n) + "x",
      "--a=".repeat(n / 4) + "--token=x",
      "--password x ".repeat(n / 13),
    ];
    for (const s of shapes) {
      const out = redactText(s);
      expect(out.length).toBeGreaterThan(0);
    }
    expect(redactText("--a=".repeat(n / 4) + "--token=x").endsWith("--token=***")).toBe(true);
  });
});

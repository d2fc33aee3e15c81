// ESLint: typescript-eslint's type-aware rules, and the import boundaries that keep the
// two halves apart. Formatting is Prettier's job (eslint-config-prettier turns off what
// would fight it).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

const restrict = (patterns) => ["error", { patterns }];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".cache/", ".vscode-test/", "test-results/", "test/fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Off on purpose: an `async` function without `await` is how we implement a
      // Promise-returning interface, and it turns a throw into a rejection (never-raise).
      "@typescript-eslint/require-await": "off",
    },
  },
  // Plain-JS scripts are outside tsconfig: no type information, Node's globals.
  {
    files: ["**/*.mjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  // Tests assign their servers in hooks and guard them in afterAll for the case where the
  // hook failed: TypeScript cannot see that, so this rule would only push `!`s into tests.
  {
    files: ["test/**/*.ts"],
    // vitest's asymmetric matchers (expect.stringContaining…) are typed `any`.
    rules: { "@typescript-eslint/no-unnecessary-condition": "off", "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  // common/ is pure code both halves share: no I/O, no VS Code, neither half.
  {
    files: ["common/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict([
        {
          group: ["**/probe/**", "**/extension/**", "vscode", "node:*"],
          message: "common/ is pure and shared by both halves",
        },
      ]),
    },
  },
  // The probe never imports the extension (nor VS Code).
  {
    files: ["probe/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict([
        { group: ["**/extension/**", "vscode"], message: "the probe runs without the extension" },
      ]),
    },
  },
  // common/ holds pure helpers both halves use (they are bundled into each); it depends on neither.
  {
    files: ["common/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict([
        { group: ["**/probe/**", "**/extension/**", "vscode"], message: "common/ is shared by both halves" },
      ]),
    },
  },
  // The extension takes from the probe only the wire schemas.
  {
    files: ["extension/**/*.ts"],
    ignores: ["extension/views/**"],
    rules: {
      "no-restricted-imports": restrict([
        {
          group: ["**/probe/*", "**/probe/**/*", "!**/probe/protocol.js"],
          message: "only probe/protocol.ts is shared",
        },
      ]),
    },
  },
  // Views render what connections report; they never reach into a connection's internals.
  {
    files: ["extension/views/**/*.ts"],
    rules: {
      "no-restricted-imports": restrict([
        {
          group: ["**/probe/*", "**/probe/**/*", "!**/probe/protocol.js"],
          message: "only probe/protocol.ts is shared",
        },
        {
          group: ["**/connection/*", "!**/connection/types.js"],
          message: "views see connections through connection/types.ts only",
        },
      ]),
    },
  },
  prettier,
);

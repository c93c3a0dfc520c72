/** One PGlite per test file (loaded from a migrated snapshot), or the PostgreSQL in DATABASE_URL shared by all. */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/test/helpers/global-setup.ts",
  testTimeout: 60_000,
  maxWorkers: 2,
  transform: {
    "^.+\\.ts$": ["ts-jest", { isolatedModules: false, diagnostics: { warnOnly: false } }],
    // postgres.js 4 ships only ES modules; jest's CommonJS module registry needs them transformed.
    "^.+/node_modules/postgres/.+\\.js$": [
      "ts-jest",
      { isolatedModules: true, tsconfig: { allowJs: true, module: "commonjs" } },
    ],
  },
  transformIgnorePatterns: ["/node_modules/(?!postgres/)"],
};

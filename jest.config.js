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
  },
};

/**
 * One PGlite per test file (loaded from a migrated snapshot), or the PostgreSQL in DATABASE_URL shared by all.
 * swc compiles (.swcrc, with decorator metadata for type-graphql) without type-checking: `npm run check` does that.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/test/helpers/global-setup.ts",
  testTimeout: 60_000,
  maxWorkers: 2,
  // postgres.js 4 ships only ES modules, which jest's CommonJS module registry needs compiled too.
  transform: { "^.+\\.(t|j)s$": "@swc/jest" },
  transformIgnorePatterns: ["/node_modules/(?!postgres/)"],
};

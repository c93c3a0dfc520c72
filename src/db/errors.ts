/** PostgreSQL error codes we turn into client errors; everything else is a server fault. */
const codeOf = (e: unknown): string | undefined => {
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  const code = err?.code ?? err?.cause?.code;
  return typeof code === "string" ? code : undefined;
};

export const isUniqueViolation = (e: unknown) => codeOf(e) === "23505";
export const isSerializationFailure = (e: unknown) => ["40001", "40P01"].includes(codeOf(e) ?? "");

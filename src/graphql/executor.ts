import type {
  GatewayExecutor,
  GatewayInterface,
  GatewayGraphQLRequestContext,
} from "@apollo/server-gateway-interface";
import {
  defaultFieldResolver,
  execute,
  getNamedType,
  GraphQLObjectType,
  isLeafType,
  getVariableValues,
  GraphQLError,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";

export type ExecutorKind = "jit" | "graphql-js";

type Run = (
  context: unknown,
  variables: Record<string, unknown> | undefined,
) => Promise<ExecutionResult> | ExecutionResult;

/**
 * graphql-jit's errors are its own GraphQLError look-alike, without `extensions` when the thrown error had
 * none (Apollo then fails to format them and drops their path). Rebuilt as graphql-js builds them.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  if (error.constructor === GraphQLError) return error;
  const original = error.originalError;
  // graphql-js hands back a resolver's GraphQLError untouched once it carries a path.
  if (
    original instanceof GraphQLError &&
    original.constructor !== error.constructor &&
    original.path
  )
    return original;
  const rebuilt = new GraphQLError(error.message, {
    path: error.path,
    originalError: original,
    extensions: original instanceof GraphQLError ? original.extensions : undefined,
  });
  // Locations were computed from the document when compiling; graphql-js computes the same from its nodes.
  return Object.assign(rebuilt, { locations: error.locations });
}

/**
 * A document compiled once, run many times. The result is graphql-js's for the same request: errors are
 * rebuilt as graphql-js's, and a request whose variables do not coerce is answered with graphql-js's own
 * coercion errors (their wording decides BAD_USER_INPUT and the field named to the client).
 */
function compiled(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
): Run | null {
  const query: CompiledQuery | ExecutionResult = compileQuery(schema, document, operationName, {
    // Leaves (enums and every scalar, ours included) go through their serialize() as in graphql-js.
    disableLeafSerialization: false,
    // The response is serialized by Apollo with JSON.stringify; jit's schema-based one would bypass it.
    customJSONSerializer: false,
  });
  if (!isCompiledQuery(query)) return null;
  const operation = document.definitions.find(
    (d) =>
      d.kind === "OperationDefinition" &&
      (operationName === undefined || d.name?.value === operationName),
  );
  const definitions =
    operation?.kind === "OperationDefinition" ? (operation.variableDefinitions ?? []) : [];
  return (context, variables) => {
    const result = query.query(undefined, context, variables);
    const finish = (r: ExecutionResult): ExecutionResult => {
      // No data at all: the variables did not coerce, and execution never started.
      if (r.data === undefined && r.errors?.length) {
        const coerced = getVariableValues(schema, definitions, variables ?? {}, { maxErrors: 50 });
        if (coerced.errors) return { errors: coerced.errors };
      }
      return r.errors ? { ...r, errors: r.errors.map(asGraphQLError) } : r;
    };
    return result instanceof Promise ? result.then(finish) : finish(result);
  };
}

/**
 * graphql-jit reads a field without a resolver synchronously and inline, where graphql-js awaits whatever
 * the property holds. Plain fields holding promises exist: an edge's node (a loader's answer) and a
 * connection's totalCount (counted only when asked for). So every plain field of object type, and every
 * totalCount, is resolved through graphql-js's default resolver, which jit awaits; plain leaves, nearly all
 * of a response, stay inline.
 */
function resolvePromisedFields(schema: GraphQLSchema) {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.resolve) continue;
      if (!isLeafType(getNamedType(field.type)) || field.name === "totalCount")
        field.resolve = defaultFieldResolver;
    }
  }
}

/**
 * Apollo's gateway interface, used here only to execute our own schema with graphql-jit. Apollo still
 * parses, validates, runs every plugin and formats errors; only execution is replaced. A document is
 * compiled once: Apollo hands back the same parsed DocumentNode for the same query text (its document
 * cache), so the compiled query lives as long as that cache keeps the document.
 */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  resolvePromisedFields(schema);
  const runs = new WeakMap<DocumentNode, Map<string | undefined, Run>>();
  const graphqlJs =
    (document: DocumentNode, operationName: string | undefined): Run =>
    (contextValue, variableValues) =>
      execute({ schema, document, operationName, contextValue, variableValues });

  const executor: GatewayExecutor = async (request: GatewayGraphQLRequestContext) => {
    const { document } = request;
    // What the client sent, as graphql-js is given it: Apollo's own operationName is the resolved one.
    const operationName = request.request.operationName ?? undefined;
    let byName = runs.get(document);
    if (!byName) runs.set(document, (byName = new Map()));
    let run = byName.get(operationName);
    if (!run) {
      // A document jit cannot compile is executed by graphql-js, every time: the decision is cached too.
      run = compiled(schema, document, operationName) ?? graphqlJs(document, operationName);
      byName.set(operationName, run);
    }
    return run(request.context, request.request.variables);
  };

  return {
    async load() {
      return { executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
}

import { GraphQLError, type ASTVisitor, type ValidationContext } from "graphql";

/**
 * Refuses an operation of a kind the schema has no root type for (a subscription): graphql-js 16 finds
 * out only while executing, and its error has no code, so the client got INTERNAL_SERVER_ERROR.
 */
export function knownOperationTypeRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (!context.getSchema().getRootType(node.operation)) {
        context.reportError(
          new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: node }),
        );
      }
    },
  };
}

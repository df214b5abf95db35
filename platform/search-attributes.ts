import { isGrpcServiceError, type Connection } from '@temporalio/client';

export type SearchAttributeKind = 'Keyword' | 'Text' | 'Int' | 'Datetime' | 'Bool' | 'Double' | 'KeywordList';

// Wire values of temporal.api.enums.v1.IndexedValueType.
const indexedValueType: Record<SearchAttributeKind, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};
const kindOf = new Map(Object.entries(indexedValueType).map(([kind, value]) => [value, kind]));

const grpcAlreadyExists = 6;

/**
 * Registers custom search attributes on a running server (the dev server
 * registers its own at start; a cluster needs this or `temporal operator
 * search-attribute create`). Existing attributes of the same type are left
 * alone; one of another type is an error, since it cannot be changed.
 */
export async function ensureSearchAttributes(
  connection: Pick<Connection, 'operatorService'>,
  namespace: string,
  attributes: Record<string, SearchAttributeKind>,
): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known: Record<string, number> = { ...existing.systemAttributes, ...existing.customAttributes };
  const missing: Record<string, number> = {};
  for (const [name, kind] of Object.entries(attributes)) {
    const wanted = indexedValueType[kind];
    const current = known[name];
    if (current === undefined) missing[name] = wanted;
    else if (current !== wanted) {
      throw new Error(
        `Search attribute ${name} exists in namespace ${namespace} as ${kindOf.get(current) ?? current}, not ${kind}`,
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === grpcAlreadyExists) return;
    throw error;
  }
}

/**
 * `aggregate` on a collection, run by mingo. Leading `$match`, `$sort`, `$skip` and `$limit`
 * stages go through the query planner first, so a pipeline such as
 * `[{ $match: { queue } }, { $group: ... }]` reads only the documents its index finds.
 */
import type { Document } from 'bson';
import { Aggregator } from 'mingo';
import { badValue, CommandError } from '../errors';
import { assertCollectionName } from '../store/catalog';
import { cloneDocument } from '../store/clone';
import { runCountGroup } from '../store/count-group';
import { isPlainObject } from '../store/document-shape';
import { selectDocuments, type SelectOptions } from '../store/select';
import type { CommandContext } from './context';

/** Stages that read other collections or server state; mingo cannot run them against this store. */
const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$lookup',
  '$graphLookup',
  '$unionWith',
  '$currentOp',
  '$collStats',
  '$indexStats',
  '$listSessions',
  '$changeStream',
  '$search',
]);

/** Stages that never change the documents they read, so stored documents need no copy. */
const READ_ONLY_STAGES = new Set(['$match', '$group', '$sort', '$skip', '$limit', '$count', '$project']);

function stageName(stage: Document): string {
  const names = Object.keys(stage);
  if (names.length !== 1) throw badValue(`A pipeline stage specification object must contain exactly one field, got ${JSON.stringify(names)}`);
  return names[0]!;
}

function parsePipeline(value: unknown): Document[] {
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw new CommandError('TypeMismatch', `'aggregate.pipeline' must be an array of stage documents, got ${JSON.stringify(value)}`);
  }
  for (const stage of value) {
    const name = stageName(stage);
    if (UNSUPPORTED_STAGES.has(name)) throw badValue(`aggregation stage ${name} is not supported by the Sluice MongoDB test server`);
  }
  return value;
}

function nonNegativeInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Splits the leading stages that the planner runs from the rest of the pipeline. */
function splitLeadingStages(pipeline: Document[]): { filter: Document; options: SelectOptions; rest: Document[] } {
  let position = 0;
  let filter: Document = {};
  const options: SelectOptions = {};

  const match: unknown = pipeline[position]?.$match;
  if (isPlainObject(match)) {
    filter = match;
    position += 1;
  }
  const sort: unknown = pipeline[position]?.$sort;
  if (isPlainObject(sort)) {
    options.sort = sort;
    position += 1;
  }
  const skip = nonNegativeInteger(pipeline[position]?.$skip);
  if (skip !== undefined) {
    options.skip = skip;
    position += 1;
  }
  const limit = nonNegativeInteger(pipeline[position]?.$limit);
  if (limit !== undefined && limit > 0) {
    options.limit = limit;
    position += 1;
  }
  return { filter, options, rest: pipeline.slice(position) };
}

function runPipeline(documents: Document[], pipeline: Document[]): Document[] {
  if (pipeline.length === 0) return documents;
  const counted = runCountGroup(pipeline[0]!, documents);
  if (counted !== undefined) return runPipeline(counted, pipeline.slice(1));
  const readOnly = pipeline.every((stage) => READ_ONLY_STAGES.has(stageName(stage)));
  const input = readOnly ? documents : documents.map(cloneDocument);
  try {
    return new Aggregator(pipeline).run(input) as Document[];
  } catch (error) {
    throw badValue(`invalid pipeline: ${(error as Error).message}`);
  }
}

export function aggregateCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.aggregate;
  if (typeof name !== 'string') {
    throw badValue(`aggregate needs a collection name; database-level aggregate (aggregate: ${JSON.stringify(name)}) is not supported by the Sluice MongoDB test server`);
  }
  assertCollectionName(name, 'aggregate');
  if (command.explain !== undefined) throw badValue('aggregate with explain is not supported by the Sluice MongoDB test server');
  const cursorOptions: unknown = command.cursor;
  if (!isPlainObject(cursorOptions)) {
    throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }

  const pipeline = parsePipeline(command.pipeline);
  const { filter, options, rest } = splitLeadingStages(pipeline);
  const collection = context.state.catalog.get(context.database, name);
  const results = runPipeline(selectDocuments(collection, filter, options), rest);

  const batchSize = nonNegativeInteger(cursorOptions.batchSize);
  const cursor = context.state.cursors.open(`${context.database}.${name}`, results, batchSize, false);
  return { cursor, ok: 1 };
}

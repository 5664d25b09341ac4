import triggersFile from '../../triggers.json';
import fixture from '../fixtures/triggers.json';
import { ConfigError } from '../../lib/errors';
import { checkTriggerDefinitions, parseTriggerDefinitions } from '../../lib/triggers/definitions';
import { MalformedEventError } from '../../lib/triggers/errors';
import { renderPayload, selectPath } from '../../lib/triggers/payload-template';

const known = { queues: ['default', 'webhooks'], jobTypes: ['http'] };
const valid = { source: { sns: { topicName: 'orders' } }, queue: 'default', jobType: 'http', payload: {} };

describe('checkTriggerDefinitions', () => {
  it('passes the shipped and fixture files', () => {
    expect(checkTriggerDefinitions(triggersFile, known)).toEqual([]);
    expect(checkTriggerDefinitions(fixture, known)).toEqual([]);
  });

  it.each([
    ['an unknown trigger key', { ...valid, retries: 2 }, 'trigger "orders": unknown setting "retries"'],
    ['an unknown source key', { ...valid, source: { sns: { topicName: 'orders', protocol: 'http' } } }, 'trigger "orders" source.sns: unknown setting "protocol"'],
    ['two sources', { ...valid, source: { sns: { topicName: 'orders' }, s3: { bucket: 'my-bucket' } } }, 'trigger "orders": source must be exactly one of'],
    ['topicName and arn', { ...valid, source: { sns: { topicName: 'orders', arn: 'arn:aws:sns:us-east-1:123456789012:orders' } } }, 'trigger "orders": source.sns must set exactly one of topicName'],
    ['an unknown queue', { ...valid, queue: 'emails' }, 'trigger "orders": queue "emails" is not defined; use one of: default, webhooks'],
    ['an unknown job type', { ...valid, jobType: 'fax' }, 'trigger "orders": jobType "fax" is not registered'],
    ['a priority above 9', { ...valid, priority: 10 }, 'trigger "orders": priority'],
    ['a missing payload', { source: valid.source, queue: 'default', jobType: 'http' }, 'trigger "orders": payload'],
  ])('rejects %s', (_case, trigger, expected) => {
    const problems = checkTriggerDefinitions({ triggers: { orders: trigger } }, known);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('rejects an invalid trigger name', () => {
    expect(checkTriggerDefinitions({ triggers: { Orders: valid } }, known)).toEqual([expect.stringContaining('trigger name "Orders" is invalid')]);
  });

  it('derives the function name and kind', () => {
    const [trigger] = parseTriggerDefinitions({ triggers: { orders: valid } }, known);
    expect(trigger).toMatchObject({ name: 'orders', kind: 'sns', functionName: 'trigger-orders' });
    expect(trigger?.source).toEqual({ sns: { topicName: 'orders', messageFormat: 'json' } });
  });

  it('throws a ConfigError naming the file', () => {
    expect(() => parseTriggerDefinitions({ triggers: { orders: { ...valid, queue: 'x' } } }, known, 'my-triggers.json')).toThrow(ConfigError);
    expect(() => parseTriggerDefinitions({ triggers: { orders: { ...valid, queue: 'x' } } }, known, 'my-triggers.json')).toThrow('my-triggers.json is invalid');
  });
});

describe('payload template', () => {
  const document = { detail: { order: { id: 'o-1', items: [{ sku: 'a' }, { sku: 'b' }] }, note: null }, source: 'shop' };

  it('replaces placeholders and copies the rest', () => {
    const template = { id: { $path: 'detail.order.id' }, sku: { $path: 'detail.order.items.1.sku' }, fixed: [1, 'two', { $path: 'source' }], note: { $path: 'detail.note' } };
    expect(renderPayload(template, document)).toEqual({ id: 'o-1', sku: 'b', fixed: [1, 'two', 'shop'], note: null });
  });

  it('selects the whole record for an empty path', () => {
    expect(renderPayload({ $path: '' }, document)).toEqual(document);
  });

  it('keeps an object with $path and other keys as it is', () => {
    expect(renderPayload({ $path: 'source', other: 1 }, document)).toEqual({ $path: 'source', other: 1 });
  });

  it('rejects a missing field, naming the path', () => {
    expect(() => selectPath(document, 'detail.order.total')).toThrow(MalformedEventError);
    expect(() => selectPath(document, 'detail.order.total')).toThrow('the event has no field "detail.order.total" (missing at "total")');
  });

  it('does not read inherited properties', () => {
    expect(() => selectPath(document, 'detail.constructor')).toThrow(MalformedEventError);
  });
});

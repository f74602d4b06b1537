/**
 * Block Kit validation: Slack's documented limits for blocks in messages, and the defaults
 * Slack fills in when it stores them.
 */
import { randomBytes } from 'node:crypto';
import { isObject, type JsonObject } from './records';

export const blockKitLimits = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  sectionFields: 10,
  sectionFieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  buttonUrl: 3_000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  imageAltText: 2_000,
  imageUrl: 3_000,
  markdownText: 12_000,
  /** `text` of chat.postMessage / postEphemeral / response_url. */
  messageText: 40_000,
  /** `text` of chat.update. */
  updateText: 4_000,
  // Selects, inputs and views (modals).
  placeholderText: 150,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  checkboxOptions: 10,
  inputLabel: 2_000,
  inputHint: 2_000,
  plainTextInput: 3_000,
  blocksPerView: 100,
  viewTitle: 24,
  viewButton: 24,
  callbackId: 255,
  privateMetadata: 3_000,
  externalId: 255,
} as const;

// Interactive elements Slack allows in an actions block or as a section accessory.
const interactiveElementTypes = new Set([
  'button',
  'checkboxes',
  'datepicker',
  'datetimepicker',
  'external_select',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'channels_select',
  'conversations_select',
  'overflow',
  'radio_buttons',
  'static_select',
  'timepicker',
  'users_select',
  'workflow_button',
]);

// Block types checked in depth here, and others Slack accepts in messages that twokey does not use
// (accepted on their type alone, so the fake never refuses what Slack would take).
const checkedBlockTypes = ['section', 'header', 'context', 'actions', 'divider', 'image', 'rich_text', 'markdown', 'input'];
const shallowBlockTypes = ['video', 'file', 'table'];

// Elements an input block takes, and those checked in depth here (the others on their type alone).
const inputElementTypes = new Set([...interactiveElementTypes, 'plain_text_input', 'email_text_input', 'url_text_input', 'number_input', 'file_input', 'rich_text_input']);
const selectTypes = new Set(['static_select', 'multi_static_select', 'external_select', 'multi_external_select']);

/** Finds every way a message's `blocks` break Block Kit's rules, phrased as Slack phrases them. */
class BlockKitChecker {
  readonly problems: string[] = [];
  private readonly blockIds = new Set<string>();
  private readonly actionIds = new Set<string>();

  checkBlocks(blocks: unknown[], max: number = blockKitLimits.blocksPerMessage): void {
    if (blocks.length > max) this.fail('/blocks', `no more than ${max} items allowed`);
    blocks.forEach((block, index) => this.block(block, `/blocks/${index}`));
  }

  /** A modal as `views.open`, `views.update` and a `response_action: update` take it. */
  checkView(view: unknown): void {
    if (!isObject(view)) {
      this.fail('/view', 'must provide an object');
      return;
    }
    this.onlyKeys(
      view,
      ['type', 'title', 'blocks', 'close', 'submit', 'private_metadata', 'callback_id', 'clear_on_close', 'notify_on_close', 'external_id', 'submit_disabled'],
      '/view',
    );
    if (view.type !== 'modal') this.fail('/view/type', 'must be modal');
    this.textObject(view, 'title', '/view', { max: blockKitLimits.viewTitle, plainOnly: true, required: true });
    this.textObject(view, 'close', '/view', { max: blockKitLimits.viewButton, plainOnly: true });
    this.textObject(view, 'submit', '/view', { max: blockKitLimits.viewButton, plainOnly: true });
    this.string(view, 'callback_id', '/view', { max: blockKitLimits.callbackId });
    this.string(view, 'private_metadata', '/view', { max: blockKitLimits.privateMetadata });
    this.string(view, 'external_id', '/view', { min: 1, max: blockKitLimits.externalId });
    const blocks = view.blocks;
    if (!Array.isArray(blocks)) {
      this.fail('/view', 'missing required field: blocks');
      return;
    }
    // Slack refuses a modal with inputs and no submit button: nothing could send them.
    if (view.submit === undefined && blocks.some((block) => isObject(block) && block.type === 'input')) {
      this.fail('/view', 'missing required field: submit (required for a view with input blocks)');
    }
    this.checkBlocks(blocks, blockKitLimits.blocksPerView);
  }

  /** A Home tab (`views.publish`): `type: home` and its blocks, up to 100; no title or buttons of its own. */
  checkHomeView(view: unknown): void {
    if (!isObject(view)) {
      this.fail('/view', 'must provide an object');
      return;
    }
    this.onlyKeys(view, ['type', 'blocks', 'private_metadata', 'callback_id', 'external_id'], '/view');
    if (view.type !== 'home') this.fail('/view/type', 'must be home');
    this.string(view, 'callback_id', '/view', { max: blockKitLimits.callbackId });
    this.string(view, 'private_metadata', '/view', { max: blockKitLimits.privateMetadata });
    this.string(view, 'external_id', '/view', { min: 1, max: blockKitLimits.externalId });
    if (!Array.isArray(view.blocks)) {
      this.fail('/view', 'missing required field: blocks');
      return;
    }
    this.checkBlocks(view.blocks, blockKitLimits.blocksPerView);
  }

  private fail(pointer: string, message: string): void {
    this.problems.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }

  private onlyKeys(object: JsonObject, allowed: readonly string[], pointer: string): void {
    for (const key of Object.keys(object)) {
      if (!allowed.includes(key)) this.fail(pointer, `invalid additional property: ${key}`);
    }
  }

  /** A string field with length limits; returns it when present and a string. */
  private string(
    object: JsonObject,
    key: string,
    pointer: string,
    limits: { max: number; min?: number; required?: boolean },
  ): string | undefined {
    const value = object[key];
    if (value === undefined) {
      if (limits.required) this.fail(pointer, `missing required field: ${key}`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.fail(`${pointer}/${key}`, 'must provide a string');
      return undefined;
    }
    const min = limits.min ?? 0;
    if (value.length < min) this.fail(`${pointer}/${key}`, `must be more than ${min - 1} characters`);
    if (value.length > limits.max) this.fail(`${pointer}/${key}`, `must be less than ${limits.max + 1} characters`);
    return value;
  }

  private textObject(
    object: JsonObject,
    key: string,
    pointer: string,
    limits: { max: number; plainOnly?: boolean; required?: boolean },
  ): void {
    const value = object[key];
    const at = `${pointer}/${key}`;
    if (value === undefined) {
      if (limits.required) this.fail(pointer, `missing required field: ${key}`);
      return;
    }
    this.textValue(value, at, limits);
  }

  private textValue(value: unknown, at: string, limits: { max: number; plainOnly?: boolean }): void {
    if (!isObject(value)) {
      this.fail(at, 'must provide an object');
      return;
    }
    const type = value.type;
    if (type === 'plain_text') {
      this.onlyKeys(value, ['type', 'text', 'emoji'], at);
    } else if (type === 'mrkdwn' && !limits.plainOnly) {
      this.onlyKeys(value, ['type', 'text', 'verbatim'], at);
    } else {
      const expected = limits.plainOnly ? 'plain_text' : 'plain_text or mrkdwn';
      this.fail(`${at}/type`, `must be ${expected}`);
    }
    this.string(value, 'text', at, { min: 1, max: limits.max, required: true });
  }

  private blockId(block: JsonObject, pointer: string): void {
    const id = this.string(block, 'block_id', pointer, { min: 1, max: blockKitLimits.blockId });
    if (id === undefined) return;
    if (this.blockIds.has(id)) this.fail(`${pointer}/block_id`, `duplicate block_id: ${id}`);
    this.blockIds.add(id);
  }

  private actionId(element: JsonObject, pointer: string): void {
    const id = this.string(element, 'action_id', pointer, { min: 1, max: blockKitLimits.actionId });
    if (id === undefined) return;
    if (this.actionIds.has(id)) this.fail(`${pointer}/action_id`, `duplicate action_id: ${id}`);
    this.actionIds.add(id);
  }

  private array(
    object: JsonObject,
    key: string,
    pointer: string,
    limits: { max: number; required?: boolean },
  ): unknown[] | undefined {
    const value = object[key];
    if (value === undefined) {
      if (limits.required) this.fail(pointer, `missing required field: ${key}`);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.fail(`${pointer}/${key}`, 'must provide an array');
      return undefined;
    }
    if (value.length === 0) this.fail(`${pointer}/${key}`, 'must provide at least 1 item');
    if (value.length > limits.max) this.fail(`${pointer}/${key}`, `no more than ${limits.max} items allowed`);
    return value;
  }

  private block(block: unknown, pointer: string): void {
    if (!isObject(block)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    const type = block.type;
    if (typeof type !== 'string') {
      this.fail(pointer, 'missing required field: type');
      return;
    }
    this.blockId(block, pointer);
    switch (type) {
      case 'section':
        return this.section(block, pointer);
      case 'header':
        this.onlyKeys(block, ['type', 'block_id', 'text'], pointer);
        return this.textObject(block, 'text', pointer, { max: blockKitLimits.headerText, plainOnly: true, required: true });
      case 'context':
        return this.context(block, pointer);
      case 'actions':
        return this.actions(block, pointer);
      case 'divider':
        return this.onlyKeys(block, ['type', 'block_id'], pointer);
      case 'image':
        return this.image(block, pointer, ['type', 'block_id', 'image_url', 'slack_file', 'alt_text', 'title']);
      case 'rich_text':
        this.onlyKeys(block, ['type', 'block_id', 'elements'], pointer);
        this.array(block, 'elements', pointer, { max: Number.MAX_SAFE_INTEGER, required: true });
        return;
      case 'markdown':
        this.onlyKeys(block, ['type', 'block_id', 'text'], pointer);
        this.string(block, 'text', pointer, { min: 1, max: blockKitLimits.markdownText, required: true });
        return;
      case 'input':
        return this.input(block, pointer);
      default:
        if (!shallowBlockTypes.includes(type)) {
          const known = [...checkedBlockTypes, ...shallowBlockTypes].join(', ');
          this.fail(`${pointer}/type`, `unsupported type: ${type} (expected one of ${known})`);
        }
    }
  }

  private section(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'text', 'fields', 'accessory', 'expand'], pointer);
    if (block.text === undefined && block.fields === undefined) {
      this.fail(pointer, 'must provide either text or fields');
    }
    this.textObject(block, 'text', pointer, { max: blockKitLimits.sectionText });
    const fields = this.array(block, 'fields', pointer, { max: blockKitLimits.sectionFields });
    fields?.forEach((field, index) =>
      this.textValue(field, `${pointer}/fields/${index}`, { max: blockKitLimits.sectionFieldText }),
    );
    if (block.accessory !== undefined) {
      const accessory = block.accessory;
      const at = `${pointer}/accessory`;
      if (isObject(accessory) && accessory.type === 'image') {
        this.image(accessory, at, ['type', 'image_url', 'slack_file', 'alt_text']);
      } else {
        this.interactiveElement(accessory, at);
      }
    }
  }

  private context(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'elements'], pointer);
    const elements = this.array(block, 'elements', pointer, { max: blockKitLimits.contextElements, required: true });
    elements?.forEach((element, index) => {
      const at = `${pointer}/elements/${index}`;
      if (isObject(element) && element.type === 'image') {
        this.image(element, at, ['type', 'image_url', 'slack_file', 'alt_text']);
      } else {
        this.textValue(element, at, { max: blockKitLimits.sectionText });
      }
    });
  }

  private actions(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'elements'], pointer);
    const elements = this.array(block, 'elements', pointer, { max: blockKitLimits.actionsElements, required: true });
    elements?.forEach((element, index) => this.interactiveElement(element, `${pointer}/elements/${index}`));
  }

  private image(image: JsonObject, pointer: string, keys: readonly string[]): void {
    this.onlyKeys(image, keys, pointer);
    if (image.image_url === undefined && image.slack_file === undefined) {
      this.fail(pointer, 'must provide either image_url or slack_file');
    }
    this.string(image, 'image_url', pointer, { min: 1, max: blockKitLimits.imageUrl });
    this.string(image, 'alt_text', pointer, { min: 1, max: blockKitLimits.imageAltText, required: true });
    if (keys.includes('title')) this.textObject(image, 'title', pointer, { max: blockKitLimits.imageAltText, plainOnly: true });
  }

  private interactiveElement(element: unknown, pointer: string): void {
    if (!isObject(element)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    const type = element.type;
    if (typeof type !== 'string' || !interactiveElementTypes.has(type)) {
      this.fail(`${pointer}/type`, `unsupported type: ${String(type)}`);
      return;
    }
    this.actionId(element, pointer);
    if (type === 'button') this.button(element, pointer);
    if (selectTypes.has(type)) this.select(element, type, pointer);
    if (type === 'checkboxes') this.checkboxes(element, pointer);
  }

  private input(block: JsonObject, pointer: string): void {
    this.onlyKeys(block, ['type', 'block_id', 'label', 'element', 'hint', 'optional', 'dispatch_action'], pointer);
    this.textObject(block, 'label', pointer, { max: blockKitLimits.inputLabel, plainOnly: true, required: true });
    this.textObject(block, 'hint', pointer, { max: blockKitLimits.inputHint, plainOnly: true });
    if (block.optional !== undefined && typeof block.optional !== 'boolean') this.fail(`${pointer}/optional`, 'must be a boolean');
    const element = block.element;
    const at = `${pointer}/element`;
    if (!isObject(element)) {
      this.fail(pointer, 'missing required field: element');
      return;
    }
    const type = String(element.type);
    if (!inputElementTypes.has(type)) {
      this.fail(`${at}/type`, `unsupported type: ${type}`);
      return;
    }
    if (type !== 'plain_text_input') return this.interactiveElement(element, at);
    this.actionId(element, at);
    this.onlyKeys(element, ['type', 'action_id', 'placeholder', 'initial_value', 'multiline', 'min_length', 'max_length', 'dispatch_action_config', 'focus_on_load'], at);
    this.textObject(element, 'placeholder', at, { max: blockKitLimits.placeholderText, plainOnly: true });
    this.string(element, 'initial_value', at, { max: blockKitLimits.plainTextInput });
    for (const key of ['min_length', 'max_length']) {
      const value = element[key];
      if (value !== undefined && (typeof value !== 'number' || value < 0 || value > blockKitLimits.plainTextInput)) {
        this.fail(`${at}/${key}`, `must be a number from 0 to ${blockKitLimits.plainTextInput}`);
      }
    }
  }

  private select(select: JsonObject, type: string, pointer: string): void {
    const external = type.includes('external');
    const multi = type.startsWith('multi_');
    this.onlyKeys(
      select,
      [
        'type',
        'action_id',
        'placeholder',
        'confirm',
        'focus_on_load',
        ...(external ? ['min_query_length'] : ['options', 'option_groups']),
        ...(multi ? ['max_selected_items', 'initial_options'] : ['initial_option']),
      ],
      pointer,
    );
    this.textObject(select, 'placeholder', pointer, { max: blockKitLimits.placeholderText, plainOnly: true });
    if (!external) {
      if (select.options === undefined && select.option_groups === undefined) this.fail(pointer, 'must provide either options or option_groups');
      const options = this.array(select, 'options', pointer, { max: blockKitLimits.selectOptions });
      options?.forEach((option, index) => this.option(option, `${pointer}/options/${index}`));
    }
    const max = select.max_selected_items;
    if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) {
      this.fail(`${pointer}/max_selected_items`, 'must be an integer of at least 1');
    }
    const minQuery = select.min_query_length;
    if (minQuery !== undefined && (typeof minQuery !== 'number' || !Number.isInteger(minQuery) || minQuery < 0)) {
      this.fail(`${pointer}/min_query_length`, 'must be an integer of at least 0');
    }
    if (select.confirm !== undefined) this.confirm(select.confirm, `${pointer}/confirm`);
  }

  private checkboxes(element: JsonObject, pointer: string): void {
    this.onlyKeys(element, ['type', 'action_id', 'options', 'initial_options', 'confirm', 'focus_on_load'], pointer);
    const options = this.array(element, 'options', pointer, { max: blockKitLimits.checkboxOptions, required: true });
    options?.forEach((option, index) => this.option(option, `${pointer}/options/${index}`, true));
  }

  /** An option of a select (plain text) or of checkboxes (mrkdwn allowed). */
  option(option: unknown, pointer: string, mrkdwn = false): void {
    if (!isObject(option)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    this.onlyKeys(option, ['text', 'value', 'description', 'url'], pointer);
    this.textObject(option, 'text', pointer, { max: blockKitLimits.optionText, plainOnly: !mrkdwn, required: true });
    this.string(option, 'value', pointer, { min: 1, max: blockKitLimits.optionValue, required: true });
    this.textObject(option, 'description', pointer, { max: blockKitLimits.optionText, plainOnly: !mrkdwn });
  }

  private button(button: JsonObject, pointer: string): void {
    this.onlyKeys(button, ['type', 'text', 'action_id', 'url', 'value', 'style', 'confirm', 'accessibility_label'], pointer);
    this.textObject(button, 'text', pointer, { max: blockKitLimits.buttonText, plainOnly: true, required: true });
    this.string(button, 'value', pointer, { max: blockKitLimits.buttonValue });
    this.string(button, 'url', pointer, { min: 1, max: blockKitLimits.buttonUrl });
    this.string(button, 'accessibility_label', pointer, { min: 1, max: blockKitLimits.buttonText });
    this.style(button, pointer);
    if (button.confirm !== undefined) this.confirm(button.confirm, `${pointer}/confirm`);
  }

  private style(object: JsonObject, pointer: string): void {
    const style = object.style;
    if (style !== undefined && style !== 'primary' && style !== 'danger') {
      this.fail(`${pointer}/style`, 'must be one of: primary, danger');
    }
  }

  private confirm(confirm: unknown, pointer: string): void {
    if (!isObject(confirm)) {
      this.fail(pointer, 'must provide an object');
      return;
    }
    this.onlyKeys(confirm, ['title', 'text', 'confirm', 'deny', 'style'], pointer);
    this.textObject(confirm, 'title', pointer, { max: blockKitLimits.confirmTitle, plainOnly: true, required: true });
    this.textObject(confirm, 'text', pointer, { max: blockKitLimits.confirmText, required: true });
    this.textObject(confirm, 'confirm', pointer, { max: blockKitLimits.confirmButton, plainOnly: true, required: true });
    this.textObject(confirm, 'deny', pointer, { max: blockKitLimits.confirmButton, plainOnly: true, required: true });
    this.style(confirm, pointer);
  }
}

/** Every Block Kit rule a message's `blocks` break, as `[ERROR] … [json-pointer:/blocks/…]` lines; empty when valid. */
export function blockKitProblems(blocks: unknown[]): string[] {
  const checker = new BlockKitChecker();
  checker.checkBlocks(blocks);
  return checker.problems;
}

/** Every rule a view (a modal) breaks, in the same form; empty when valid. */
export function viewProblems(view: unknown): string[] {
  const checker = new BlockKitChecker();
  checker.checkView(view);
  return checker.problems;
}

/** Every rule a Home tab view breaks, in the same form; empty when valid. */
export function homeViewProblems(view: unknown): string[] {
  const checker = new BlockKitChecker();
  checker.checkHomeView(view);
  return checker.problems;
}

/**
 * Every rule the answer to a `block_suggestion` breaks (`{ options: […] }`, at most 100, each as a
 * select's option); empty when valid.
 */
export function optionsProblems(answer: unknown): string[] {
  const checker = new BlockKitChecker();
  const options = isObject(answer) ? answer.options : undefined;
  if (!Array.isArray(options)) return ['[ERROR] missing required field: options [json-pointer:/options]'];
  if (options.length > blockKitLimits.selectOptions) {
    checker.problems.push(`[ERROR] no more than ${blockKitLimits.selectOptions} items allowed [json-pointer:/options]`);
  }
  options.forEach((option, index) => checker.option(option, `/options/${index}`));
  return checker.problems;
}

/** As Slack stores blocks: a `block_id` on every block and an `action_id` on every interactive or input element. */
export function withSlackDefaults(blocks: JsonObject[]): JsonObject[] {
  const stored = structuredClone(blocks);
  const shortId = () => randomBytes(3).toString('base64url');
  for (const block of stored) {
    if (block.block_id === undefined) block.block_id = shortId();
    const elements = [
      ...(Array.isArray(block.elements) ? block.elements : []),
      ...(block.accessory !== undefined ? [block.accessory] : []),
      ...(block.element !== undefined ? [block.element] : []),
    ];
    for (const element of elements) {
      if (isObject(element) && inputElementTypes.has(String(element.type)) && element.action_id === undefined) {
        element.action_id = shortId();
      }
    }
  }
  return stored;
}

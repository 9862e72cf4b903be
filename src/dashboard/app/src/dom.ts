/**
 * The one way this app builds markup. Strings always become text nodes, so a display name, room name or metadata
 * value from a webhook can never turn into HTML.
 */

/** What may go inside an element; nested lists are flattened, empty values skipped. */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  className?: string;
  /** Attributes set as given; `false`, null and undefined leave the attribute out, `true` sets it empty. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/**
 * Creates an element with text or element children.
 *
 * @example
 * el("p", { className: "note" }, "Joined as ", el("strong", {}, displayName));
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    element.addEventListener(type, listener as EventListener);
  }
  append(element, ...children);
  return element;
}

/**
 * Appends children, turning strings and numbers into text nodes.
 *
 * @example
 * append(cell, formatDate(at));
 */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(parent, ...child);
      continue;
    }
    const isText = typeof child === "string" || typeof child === "number";
    parent.appendChild(isText ? document.createTextNode(String(child)) : child);
  }
}

/**
 * Replaces everything inside an element.
 *
 * @example
 * replaceChildren(main, heading, table);
 */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * A machine-readable figure: the text is for people, `value` is the exact number the API gave.
 *
 * @example
 * figure(session.durationSeconds, formatDuration(session.durationSeconds)); // <data value="3725.5">1 h 2 min</data>
 */
export function figure(value: number | string | null, text: string): HTMLDataElement {
  return el("data", { attrs: { value: value === null ? "" : String(value) } }, text);
}

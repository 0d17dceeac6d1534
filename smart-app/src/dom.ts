/** Builds DOM nodes safely: text is always text, never HTML. */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

export function replaceMain(...children: Node[]): void {
  const main = document.getElementById('main')!;
  main.replaceChildren(...children);
}

/** Severity is shown with an icon and a word, never by colour alone. */
const SEVERITY_LABEL: Record<string, { icon: string; word: string }> = {
  critical: { icon: '✖', word: 'Critical' },
  warning: { icon: '⚠', word: 'Warning' },
  info: { icon: 'ℹ', word: 'Info' },
};

export function severityBadge(severity: string): HTMLElement {
  const label = SEVERITY_LABEL[severity] ?? { icon: '•', word: severity };
  return h('span', { class: `badge badge-${severity}` }, h('span', { 'aria-hidden': 'true' }, label.icon), ` ${label.word}`);
}

export function statusMessage(text: string): HTMLElement {
  return h('p', { role: 'status', class: 'status' }, text);
}

export function errorMessage(title: string, advice: string, retry?: () => void, kind?: string, extra?: HTMLElement): HTMLElement {
  return h(
    'div',
    { role: 'alert', class: 'error', 'data-problem': kind },
    h('h2', {}, title),
    h('p', {}, advice),
    retry
      ? (() => {
          const button = h('button', { type: 'button' }, 'Try again');
          button.addEventListener('click', retry);
          return button;
        })()
      : null,
    extra ?? null,
  );
}

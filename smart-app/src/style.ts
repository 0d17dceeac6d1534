/**
 * SMART styles (SMART App Launch 2.x, `smart_style_url`): the EHR's colours, fonts and corner radius, so the
 * app looks like part of the EHR. Values are checked before use (colours, font names and lengths only) and set
 * as CSS custom properties; anything else is ignored.
 */
const COLOUR = /^(#[0-9a-f]{3,8}|rgba?\([\d\s.,%]+\)|[a-z]{3,20})$/i;
const FONT = /^[\w\s,'"-]{1,200}$/;
const LENGTH = /^\d{1,3}(\.\d{1,3})?(px|rem|em)$/;

const PROPERTIES: Record<string, { variable: string; pattern: RegExp }> = {
  color_background: { variable: '--bg', pattern: COLOUR },
  color_text: { variable: '--ink', pattern: COLOUR },
  color_highlight: { variable: '--accent', pattern: COLOUR },
  color_error: { variable: '--critical', pattern: COLOUR },
  color_success: { variable: '--ok', pattern: COLOUR },
  font_family_body: { variable: '--font-body', pattern: FONT },
  font_family_heading: { variable: '--font-heading', pattern: FONT },
  dim_border_radius: { variable: '--radius', pattern: LENGTH },
};

export async function applySmartStyle(url: unknown, root: HTMLElement = document.documentElement): Promise<void> {
  if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000), credentials: 'omit' });
    if (!response.ok) return;
    const styles = (await response.json()) as Record<string, unknown>;
    for (const [name, { variable, pattern }] of Object.entries(PROPERTIES)) {
      const value = styles[name];
      if (typeof value === 'string' && pattern.test(value.trim())) root.style.setProperty(variable, value.trim());
    }
  } catch {
    // The EHR's styles are a courtesy: without them the app keeps its own.
  }
}

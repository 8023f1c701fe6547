// The rule as JSON, for power users: editing the text rebuilds the tree as soon as it parses; text that does not
// parse is kept as typed with the parser's message, and the tree stays as it was. Changing the tree rewrites it.
import { html, useEffect, useState } from '../lib/ui.js';
import { useText } from '../lib/i18n.js';

const TEXT = {
  'zh-CN': { title: '规则 JSON', hint: '可直接编辑：JSON 有效时条件树随之更新。', invalid: 'JSON 无效，条件树保持不变：' },
  en: { title: 'Rule JSON', hint: 'Editable: the tree follows as soon as the JSON is valid.', invalid: 'Not valid JSON; the tree is unchanged: ' },
};
const pretty = (rule) => JSON.stringify(rule, null, 2);

export function RuleJson({ rule, onRule, readOnly }) {
  const t = useText(TEXT);
  const [text, setText] = useState(pretty(rule));
  const [problem, setProblem] = useState('');
  // The tree changed (or the text was just parsed into it): show the tree's JSON unless the text already says it.
  useEffect(() => {
    let same;
    try {
      same = JSON.stringify(JSON.parse(text)) === JSON.stringify(rule);
    } catch {
      same = false;
    }
    if (!same) {
      setText(pretty(rule));
      setProblem('');
    }
  }, [JSON.stringify(rule)]);
  const edited = (value) => {
    setText(value);
    try {
      const parsed = JSON.parse(value);
      setProblem('');
      onRule(parsed);
    } catch (err) {
      setProblem(err.message);
    }
  };
  return html`<section class="rule-json">
    <h2><label for="rule-json">${t('title')}</label></h2>
    <p class="muted" id="rule-json-hint">${t('hint')}</p>
    <textarea
      id="rule-json"
      aria-describedby="rule-json-hint"
      spellcheck="false"
      rows="14"
      readonly=${readOnly}
      value=${text}
      onInput=${(e) => edited(e.currentTarget.value)}
    ></textarea>
    ${problem && html`<p class="state error" role="alert" id="rule-json-problem">${t('invalid')}${problem}</p>`}
  </section>`;
}

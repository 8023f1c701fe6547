// The app's pages: where each lives, its name in the navigation, and the roles that may open it (the API checks
// the same roles again; this only hides what a role cannot use).
import { Dashboard } from './dashboard.js';
import { Segments } from './segments.js';
import { AudiencePages } from './audiences.js';
import { Contacts } from './contacts.js';
import { Experiments } from './experiments.js';
import { Alerts } from './alerts.js';
import { Funnels } from './funnels.js';
import { MetricExplorer } from './metrics.js';
import { SendTime } from './send-time.js';
import { TemplateDelivery } from './template-delivery.js';
import { Campaigns } from './campaigns.js';
import { SqlPage } from './sql.js';

const PAGES = [
  { path: '/dashboard', label: { 'zh-CN': '数据看板', en: 'Dashboard' }, roles: ['admin', 'analyst', 'marketer'], view: Dashboard },
  { path: '/segments', subpaths: ['/segments/:id'], label: { 'zh-CN': '人群', en: 'Segments' }, roles: ['admin', 'marketer', 'analyst'], view: Segments },
  {
    path: '/audiences',
    subpaths: ['/audiences/:id'],
    label: { 'zh-CN': '人群包', en: 'Audiences' },
    roles: ['admin', 'analyst', 'marketer', 'sender'],
    view: AudiencePages,
  },
  {
    path: '/experiments',
    subpaths: ['/experiments/:id'],
    label: { 'zh-CN': '实验', en: 'Experiments' },
    roles: ['admin', 'analyst', 'marketer'],
    view: Experiments,
  },
  { path: '/alerts', subpaths: ['/alerts/:id'], label: { 'zh-CN': '告警', en: 'Alerts' }, roles: ['admin', 'analyst', 'marketer'], view: Alerts },
  { path: '/funnels', label: { 'zh-CN': '转化漏斗', en: 'Funnels' }, roles: ['admin', 'analyst', 'marketer'], view: Funnels },
  { path: '/campaigns', label: { 'zh-CN': '成本与ROI', en: 'Costs & ROI' }, roles: ['admin', 'analyst', 'marketer'], view: Campaigns },
  { path: '/metrics', label: { 'zh-CN': '指标分析', en: 'Metrics' }, roles: ['admin', 'analyst', 'marketer'], view: MetricExplorer },
  { path: '/template-delivery', label: { 'zh-CN': '模板到达', en: 'Template delivery' }, roles: ['admin', 'analyst', 'marketer'], view: TemplateDelivery },
  { path: '/send-time', label: { 'zh-CN': '发送时间', en: 'Send time' }, roles: ['admin', 'analyst', 'marketer'], view: SendTime },
  { path: '/contacts', label: { 'zh-CN': '联系人', en: 'Contacts' }, roles: ['admin', 'analyst', 'marketer'], view: Contacts },
  { path: '/sql', subpaths: ['/sql/:id'], label: { 'zh-CN': 'SQL 查询', en: 'SQL' }, roles: ['admin', 'analyst'], view: SqlPage },
];

/** The pages `role` may open, in navigation order. */
export const pagesFor = (role) => PAGES.filter((page) => page.roles.includes(role));

// The names of the headline metrics (the API's metric keys), in both languages, for every page that shows them.
export const METRIC_NAMES = {
  'zh-CN': {
    send_success_rate: '发送成功率',
    delivery_rate: '到达率',
    click_rate: '点击率/打开率',
    conversion_rate: '转化率',
    complaint_rate: '投诉率',
    unsubscribe_rate: '退订率',
    revenue: '每条送达收入',
  },
  en: {
    send_success_rate: 'Send success rate',
    delivery_rate: 'Delivery rate',
    click_rate: 'Click (open) rate',
    conversion_rate: 'Conversion rate',
    complaint_rate: 'Complaint rate',
    unsubscribe_rate: 'Unsubscribe rate',
    revenue: 'Revenue per delivered',
  },
};

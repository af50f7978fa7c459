/**
 * China's provincial-level regions and the names students use for them (山东, 鲁 is too short to
 * trust and is left out), for telling a question about a region the knowledge base has no rules
 * for. General knowledge, not tied to any document.
 */
const provinces: ReadonlyArray<readonly string[]> = [
  ['北京市', '北京'], ['天津市', '天津'], ['上海市', '上海'], ['重庆市', '重庆'],
  ['河北省', '河北'], ['山西省', '山西'], ['辽宁省', '辽宁'], ['吉林省', '吉林'], ['黑龙江省', '黑龙江'],
  ['江苏省', '江苏'], ['浙江省', '浙江'], ['安徽省', '安徽'], ['福建省', '福建'], ['江西省', '江西'],
  ['山东省', '山东'], ['河南省', '河南'], ['湖北省', '湖北'], ['湖南省', '湖南'], ['广东省', '广东'],
  ['海南省', '海南'], ['四川省', '四川'], ['贵州省', '贵州'], ['云南省', '云南'], ['陕西省', '陕西'],
  ['甘肃省', '甘肃'], ['青海省', '青海'], ['台湾省', '台湾'],
  ['内蒙古自治区', '内蒙古'], ['广西壮族自治区', '广西'], ['西藏自治区', '西藏'], ['宁夏回族自治区', '宁夏'],
  ['新疆维吾尔自治区', '新疆'], ['香港特别行政区', '香港'], ['澳门特别行政区', '澳门'],
];

/** Big cities students name instead of their province. */
const cities: Record<string, string> = {
  广州: '广东省', 深圳: '广东省', 东莞: '广东省', 杭州: '浙江省', 宁波: '浙江省', 南京: '江苏省', 苏州: '江苏省',
  武汉: '湖北省', 长沙: '湖南省', 成都: '四川省', 西安: '陕西省', 郑州: '河南省', 济南: '山东省', 青岛: '山东省',
  沈阳: '辽宁省', 大连: '辽宁省', 哈尔滨: '黑龙江省', 长春: '吉林省', 石家庄: '河北省', 太原: '山西省', 合肥: '安徽省',
  福州: '福建省', 厦门: '福建省', 南昌: '江西省', 昆明: '云南省', 贵阳: '贵州省', 南宁: '广西壮族自治区',
  兰州: '甘肃省', 西宁: '青海省', 银川: '宁夏回族自治区', 乌鲁木齐: '新疆维吾尔自治区', 呼和浩特: '内蒙古自治区',
  拉萨: '西藏自治区', 海口: '海南省',
};

/** The provincial-level regions a text names, by their full names (山东 and 济南 both name 山东省). */
export function provincesIn(text: string): Set<string> {
  const named = new Set<string>();
  for (const [full, ...short] of provinces) if ([full, ...short].some((name) => text.includes(name!))) named.add(full!);
  for (const [city, province] of Object.entries(cities)) if (text.includes(city)) named.add(province);
  return named;
}

/** The province a region of the knowledge base lies in (拉萨市 → 西藏自治区, 山东省 → 山东省). */
export function provinceOfRegion(region: string): string | null {
  const named = provincesIn(region);
  return named.size === 1 ? [...named][0]! : null;
}

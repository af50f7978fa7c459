import { describe, expect, it } from 'vitest';
import { fieldsOfMajor, majorFields } from './major-fields.ts';
import { occupations } from './occupations.ts';

const fieldIds = (major: string): string[] => fieldsOfMajor(major).map((field) => field.id);

describe('fields of study', () => {
  it('reads major-fields.yaml: every direction is an occupation family', () => {
    const families = new Set(occupations().families.map((family) => family.id));
    for (const field of majorFields()) for (const id of field.families) expect(families).toContain(id);
  });

  it('places majors by their longest keyword, so a shared word does not mislead', () => {
    expect(fieldIds('电子商务')).toEqual(['commerce']);
    expect(fieldIds('电子信息工程技术')).toEqual(['electronics']);
    expect(fieldIds('机械设计与制造')).toEqual(['equipment']);
    expect(fieldIds('软件工程')).toEqual(['computing']);
    expect(fieldIds('计算机平面设计')).toEqual(['graphic-design']);
    expect(fieldIds('环境艺术设计')).toEqual(['interior']);
    expect(fieldIds('新能源汽车检测与维修技术')).toEqual(['automotive']);
    expect(fieldIds('大数据与会计')).toEqual(['finance']);
  });

  it('lets a major belong to two fields when its name says both', () => {
    expect(fieldIds('服装设计与工艺')).toEqual(['crafts', 'fashion-beauty']);
  });

  it('knows majors of many kinds, and none for a name it cannot place', () => {
    for (const major of ['护理', '药学', '学前教育', '中餐烹饪', '畜牧兽医', '法学', '英语', '汉语言文学', '社会体育', '城市轨道交通运营管理', '物流管理', '社会工作', '历史学', '现代殡葬技术与管理', '空中乘务', '无人机应用技术']) {
      expect(fieldIds(major).length, major).toBeGreaterThan(0);
    }
    expect(fieldIds('无关专业')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { commandOf, ratingOf, wantsDirection } from './commands.ts';

describe('commandOf', () => {
  it.each([
    ['帮助', 'help'],
    ['菜单', 'help'],
    ['/start', 'help'],
    ['重新开始', 'restart'],
    ['我的规划', 'show-plan'],
    ['删除我的数据', 'delete-data'],
    ['职业规划', 'start-planning'],
    ['我想做职业规划', 'start-planning'],
    ['career plan', 'start-planning'],
  ] as const)('%s is %s', (message, command) => {
    expect(commandOf(message)).toBe(command);
  });

  it('does not take a question that mentions 职业规划 for the command', () => {
    expect(commandOf('大学生职业规划比赛是谁组织的？')).toBeNull();
    expect(commandOf('职业规划课是必修课吗')).toBeNull();
  });
});

describe('ratingOf', () => {
  it.each([
    ['5', 5],
    ['５', 5],
    ['三', 3],
    ['4分', 4],
    [' 1 ', 1],
    ['6', null],
    ['0', null],
    ['很好', null],
  ] as const)('%j → %s', (message, score) => {
    expect(ratingOf(message)).toBe(score);
  });
});

describe('wantsDirection', () => {
  it('hears a student unsure of their direction', () => {
    expect(wantsDirection('我不知道以后做什么')).toBe(true);
    expect(wantsDirection('很迷茫，升学还是就业？')).toBe(true);
    expect(wantsDirection('实习押金合法吗')).toBe(false);
  });
});
